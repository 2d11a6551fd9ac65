/*
 * Seeded random driver of the C ABI: the calls of cabi_calls.h, their choices from SplitMix64, so the same seed
 * replays the same calls (scripts/fuzz.sh cabi runs batches of it for a set time). The libFuzzer target
 * (fuzz_cabi_libfuzzer.c) makes the same calls from its input bytes.
 *   uino_fuzz_cabi MODEL ITERATIONS [SEED]      ends with "cabi-fuzz: N passed, N failed"
 */
#include "cabi_calls.h"

/* SplitMix64: the same seed replays the same calls. */
static uint64_t splitmix(void* state)
{
    uint64_t z = (*(uint64_t*)state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int main(int argc, char** argv)
{
    if (argc < 3) { fprintf(stderr, "usage: %s MODEL ITERATIONS [SEED]\n", argv[0]); return 2; }
    long iterations = atol(argv[2]);
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
    Choices choices = { splitmix, &seed };
    CabiTarget t;
    if (cabi_open(&t, argv[1])) return 1;
    double start = now_seconds();
    for (long i = 0; i < iterations; i++) cabi_one_call(&t, &choices, i);
    cabi_still_works(&t);
    cabi_close(&t);
    ProcSample s = proc_sample(0, 0);
    printf("cabi-fuzz: %ld random calls (seed %s) in %.1f s: %ld succeeded, %ld refused with a status, %ld contract violations; RSS %.1f MB\n",
           iterations, argc > 3 ? argv[3] : "1", now_seconds() - start, t.ok_calls, t.refused_calls, t.failures, s.rss_mb);
    printf("cabi-fuzz: %ld passed, %ld failed\n", t.ok_calls + t.refused_calls, t.failures);
    return t.failures == 0 ? 0 : 1;
}
