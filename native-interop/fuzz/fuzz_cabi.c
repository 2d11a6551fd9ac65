/*
 * Seeded random driver of the C ABI: every entry point with random sizes, strides, pixel formats, NULL pointers,
 * released and made-up handles, and bad options. The contract checked (uino.h): every call returns NULL or a
 * status with a code in 1..6 and a non-empty message, nothing aborts, and a valid call still works afterwards.
 * Only buffers whose size matches what the descriptor claims are passed (a descriptor that claims more than the
 * memory has is undefined behaviour by contract, as with memcpy), except NULL data, which must be refused.
 *   uino_fuzz_cabi MODEL ITERATIONS [SEED]      ends with "cabi-fuzz: N passed, N failed"
 */
#include <limits.h>
#include "uino.h"
#include "harness.h"

/* SplitMix64: the same seed replays the same calls. */
static uint64_t rng_state;
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static int rng_below(int n) { return (int)(rng_next() % (uint64_t)n); }

static long failures, ok_calls, refused_calls;
static const int32_t odd_sides[] = { 0, -1, INT32_MIN, INT32_MAX, 65536, 1 << 20, 100000 };

static void check(UinoStatus* st, const char* what, long iteration)
{
    if (!st) { ok_calls++; return; }
    UinoCode code = uino_status_code(st);
    const char* msg = uino_status_message(st);
    if (code < UINO_INVALID_ARGUMENT || code > UINO_OUT_OF_MEMORY || !msg || !msg[0])
    {
        fprintf(stderr, "iteration %ld: %s returned code %d with message '%s'\n", iteration, what, (int)code, msg ? msg : "(null)");
        failures++;
    }
    else refused_calls++;
    uino_status_release(st);
}

static int32_t random_side(void)
{
    return rng_below(8) ? 1 + rng_below(64) : odd_sides[rng_below((int)(sizeof odd_sides / sizeof *odd_sides))];
}

/* A random image descriptor; *buffer is allocated (and must be freed) when the descriptor is plausible and small. */
static UinoImage random_image(uint8_t** buffer)
{
    UinoImage im;
    im.width = random_side();
    im.height = random_side();
    im.format = rng_below(10) ? rng_below(5) : (rng_below(2) ? 5 : -1);
    int bpp = im.format == 4 ? 1 : (im.format == 2 || im.format == 3) ? 4 : 3;
    int64_t row = (int64_t)im.width * bpp;
    int64_t stride = row + (rng_below(4) ? 0 : rng_below(9) - 4);
    im.stride_bytes = rng_below(20) ? (int32_t)(stride > INT32_MAX ? INT32_MAX : stride < INT32_MIN ? INT32_MIN : stride) : odd_sides[rng_below(7)];
    int64_t needed = im.width > 0 && im.height > 0 && im.stride_bytes >= row ? (int64_t)(im.height - 1) * im.stride_bytes + row : -1;
    *buffer = NULL;
    if (needed > 0 && needed <= (4 << 20) && rng_below(10)) *buffer = malloc((size_t)needed);
    if (*buffer) memset(*buffer, rng_below(256), (size_t)needed);
    im.data = *buffer;   /* NULL with a plausible descriptor must be refused, never read */
    return im;
}

/* A mask buffer for width x height with stride; NULL when implausible or by chance. */
static uint8_t* random_mask(const UinoImage* im, int32_t* stride)
{
    *stride = rng_below(6) ? 0 : (rng_below(2) ? im->width + rng_below(8) - 2 : odd_sides[rng_below(7)]);
    int32_t s = *stride == 0 ? im->width : *stride;
    int64_t needed = im->width > 0 && im->height > 0 && s >= im->width ? (int64_t)(im->height - 1) * s + im->width : -1;
    if (needed <= 0 || needed > (4 << 20) || !rng_below(12)) return NULL;
    uint8_t* m = malloc((size_t)needed);
    int fill = rng_below(3);   /* 0: empty, 1: half object, 2: all object */
    for (int64_t i = 0; i < needed; i++) m[i] = fill == 0 ? 0 : fill == 2 ? 255 : (i % s < im->width / 2 ? 255 : 0);
    return m;
}

int main(int argc, char** argv)
{
    if (argc < 3) { fprintf(stderr, "usage: %s MODEL ITERATIONS [SEED]\n", argv[0]); return 2; }
    long iterations = atol(argv[2]);
    rng_state = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
    UinoSessionOptions opts = { sizeof(UinoSessionOptions), argv[1], "cpu", 1 };
    UinoSession* session = NULL;
    UinoStatus* st = uino_session_create(&opts, &session);
    if (st) { fprintf(stderr, "cannot create the session: %s\n", uino_status_message(st)); return 1; }
    int rw = 40, rh = 30;
    uint8_t *ref = make_rgb(rw, rh), *ref_mask = make_mask(rw, rh);
    UinoImage ref_image = { ref, rw, rh, rw * 3, UINO_PIXEL_RGB8 };
    check(uino_session_add_reference(session, &ref_image, ref_mask, rw), "add_reference(valid)", -1);
    UinoSession* released = NULL;
    check(uino_session_create(&opts, &released), "create(valid)", -1);
    uino_session_release(released);   /* a released handle, for the calls below */
    UinoSession* handles[] = { session, session, session, session, NULL, released, (UinoSession*)0x1, (UinoSession*)0xdeadbeef };
    const char* paths[] = { argv[1], "/nonexistent/model.safetensors", "", "/tmp", "/dev/null", "/etc/hostname", NULL };
    const char* devices[] = { "cpu", NULL, "cuda", "cuda:9", "gpu", "", "cpu:0" };
    double start = now_seconds();

    for (long i = 0; i < iterations; i++)
    {
        UinoSession* h = handles[rng_below(8)];
        uint8_t *buf = NULL, *mask = NULL;
        int32_t mstride = 0;
        UinoImage im = random_image(&buf);
        switch (rng_below(7))
        {
        case 0:
        {
            UinoSessionOptions o = { rng_below(8) ? sizeof o : (uint32_t)rng_below(64), paths[rng_below(7)], devices[rng_below(7)],
                                     rng_below(4) ? 1 : (int32_t)odd_sides[rng_below(7)] };
            if (o.num_threads > 2 || o.num_threads == 0) o.num_threads = 1;   /* the machine is shared: never more */
            UinoSession* created = (UinoSession*)0x1;
            UinoSessionOptions* po = rng_below(10) ? &o : NULL;
            UinoSession** out = rng_below(10) ? &created : NULL;
            if (po && po->model_path == argv[1] && rng_below(4)) po->model_path = "/nonexistent";   /* loads are slow: few valid ones */
            check(uino_session_create(po, out), "create", i);
            if (out && created != (UinoSession*)0x1) uino_session_release(created);
            break;
        }
        case 1:
            mask = random_mask(&im, &mstride);
            check(uino_session_add_reference(h, rng_below(12) ? &im : NULL, mask, mstride), "add_reference", i);
            if (h == session && rng_below(2)) { check(uino_session_clear_references(session), "clear", i);
                                                 check(uino_session_add_reference(session, &ref_image, ref_mask, rw), "re-add", i); }
            break;
        case 2:
        case 3:
        {
            mask = random_mask(&im, &mstride);
            float score = -1;
            check(uino_session_segment(h, rng_below(12) ? &im : NULL, mask, mstride, rng_below(2) ? &score : NULL), "segment", i);
            break;
        }
        case 4:
            check(uino_session_clear_references(h), "clear_references", i);
            if (h == session) check(uino_session_add_reference(session, &ref_image, ref_mask, rw), "re-add", i);
            break;
        case 5:
        {
            int64_t n; double sum;
            check(uino_session_model_info(h, rng_below(2) ? &n : NULL, rng_below(2) ? &sum : NULL), "model_info", i);
            break;
        }
        default:
            if (uino_status_code(NULL) != UINO_OK || strcmp(uino_status_message(NULL), "") != 0) { failures++; fprintf(stderr, "status(NULL)\n"); }
            uino_status_release(NULL);
            uino_session_release(rng_below(2) ? NULL : released);   /* NULL and double release are harmless */
            break;
        }
        free(buf);
        free(mask);
    }

    /* The session must still work after all that. */
    int qw = 48, qh = 36;
    uint8_t *q = make_rgb(qw, qh), *out = malloc((size_t)qw * qh);
    UinoImage query = { q, qw, qh, qw * 3, UINO_PIXEL_RGB8 };
    float score = -1;
    st = uino_session_segment(session, &query, out, qw, &score);
    if (st || score < 0 || score > 1) { fprintf(stderr, "the session no longer segments: %s\n", st ? uino_status_message(st) : "bad score"); failures++; }
    uino_status_release(st);
    uino_session_release(session);
    free(q); free(out); free(ref); free(ref_mask);
    ProcSample s = proc_sample(0, 0);
    printf("cabi-fuzz: %ld random calls (seed %s) in %.1f s: %ld succeeded, %ld refused with a status, %ld contract violations; RSS %.1f MB\n",
           iterations, argc > 3 ? argv[3] : "1", now_seconds() - start, ok_calls, refused_calls, failures, s.rss_mb);
    printf("cabi-fuzz: %ld passed, %ld failed\n", ok_calls + refused_calls, failures);
    return failures == 0 ? 0 : 1;
}
