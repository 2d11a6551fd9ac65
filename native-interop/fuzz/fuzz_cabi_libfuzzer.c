/*
 * libFuzzer target of the C ABI: the calls of cabi_calls.h, their choices read from the input (one byte per choice:
 * every choice is among at most 256; zeros once it runs out), at most 16 calls per input, on one session opened once. A contract violation aborts,
 * so libFuzzer saves the input. libuino.so itself is NativeAOT code without coverage instrumentation: the feedback
 * covers the harness's choices (which call, odd sizes, strides, formats, NULLs, handles), not libuino's branches.
 *   UINO_FUZZ_MODEL=MODEL uino_fuzz_cabi_libfuzzer [libFuzzer flags] [CORPUS_DIR... | FILE...]
 * Built only with clang (-fsanitize=fuzzer); native-interop/ci.sh replays native-interop/fuzz/corpus/cabi and runs
 * fresh inputs.
 */
#include "cabi_calls.h"

typedef struct Input { const uint8_t* data; size_t left; } Input;

static uint64_t from_input(void* state)
{
    Input* in = state;
    if (in->left == 0) return 0;
    in->left--;
    return *in->data++;
}

static CabiTarget target;
static long executions;
static double started;

static void summary(void)
{
    printf("cabi-libfuzzer: %ld inputs, %ld C ABI calls in %.1f s: %ld succeeded, %ld refused with a status, %ld contract violations\n",
           executions, target.ok_calls + target.refused_calls + target.failures, now_seconds() - started, target.ok_calls,
           target.refused_calls, target.failures);
}

int LLVMFuzzerInitialize(int* argc, char*** argv)
{
    (void)argc; (void)argv;
    const char* model = getenv("UINO_FUZZ_MODEL");
    if (!model || !model[0]) { fprintf(stderr, "set UINO_FUZZ_MODEL to a model file (e.g. a tiny model)\n"); abort(); }
    if (cabi_open(&target, model) || target.failures) abort();
    started = now_seconds();
    atexit(summary);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in = { data, size };
    Choices choices = { from_input, &in };
    long first = executions * 16;
    for (int call = 0; call < 16 && in.left > 0; call++) cabi_one_call(&target, &choices, first + call);
    /* now and then (not every input: a segment costs milliseconds) the session must still work */
    if (++executions % 64 == 0) cabi_still_works(&target);
    if (target.failures) abort();
    return 0;
}
