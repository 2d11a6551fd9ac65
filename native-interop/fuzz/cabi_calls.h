/*
 * One random C ABI call at a time, shared by the seeded driver (fuzz_cabi.c: SplitMix64 choices) and the libFuzzer
 * target (fuzz_cabi_libfuzzer.c: choices read from the input bytes). Every entry point with random sizes, strides,
 * pixel formats, NULL pointers, released and made-up handles, and bad options. The contract checked (uino.h):
 * every call returns NULL or a status with a code in 1..6 and a non-empty message, nothing aborts, and a valid
 * call still works afterwards. Only buffers whose size matches what the descriptor claims are passed (a descriptor
 * that claims more than the memory has is undefined behaviour by contract, as with memcpy), except NULL data,
 * which must be refused.
 */
#ifndef UINO_CABI_CALLS_H
#define UINO_CABI_CALLS_H

#include <limits.h>
#include "uino.h"
#include "harness.h"

/* Where the choices come from: next() returns 64 random bits (or the input's next bytes). */
typedef struct Choices { uint64_t (*next)(void* state); void* state; } Choices;

static inline int below(Choices* c, int n) { return (int)(c->next(c->state) % (uint64_t)n); }

/* The fixtures every call draws from: a live session with a reference, a released handle, the model path. */
typedef struct CabiTarget
{
    UinoSession* session;
    UinoSession* released;
    const char* model;
    UinoImage ref_image;
    uint8_t *ref, *ref_mask;
    long failures, ok_calls, refused_calls;
} CabiTarget;

static const int32_t cabi_odd_sides[] = { 0, -1, INT32_MIN, INT32_MAX, 65536, 1 << 20, 100000 };
#define CABI_ODD_COUNT ((int)(sizeof cabi_odd_sides / sizeof *cabi_odd_sides))

/* Counts the call; a contract violation is printed and counted (the libFuzzer target aborts on it). */
static inline void cabi_check(CabiTarget* t, UinoStatus* st, const char* what, long iteration)
{
    if (!st) { t->ok_calls++; return; }
    UinoCode code = uino_status_code(st);
    const char* msg = uino_status_message(st);
    if (code < UINO_INVALID_ARGUMENT || code > UINO_OUT_OF_MEMORY || !msg || !msg[0])
    {
        fprintf(stderr, "iteration %ld: %s returned code %d with message '%s'\n", iteration, what, (int)code, msg ? msg : "(null)");
        t->failures++;
    }
    else t->refused_calls++;
    uino_status_release(st);
}

/* Creates the session (model, one thread) with a 40x30 reference, and a released handle. 0 on success. */
static inline int cabi_open(CabiTarget* t, const char* model)
{
    memset(t, 0, sizeof *t);
    t->model = model;
    UinoSessionOptions opts = { sizeof(UinoSessionOptions), model, "cpu", 1 };
    UinoStatus* st = uino_session_create(&opts, &t->session);
    if (st) { fprintf(stderr, "cannot create the session: %s\n", uino_status_message(st)); uino_status_release(st); return 1; }
    int rw = 40, rh = 30;
    t->ref = make_rgb(rw, rh);
    t->ref_mask = make_mask(rw, rh);
    UinoImage ref_image = { t->ref, rw, rh, rw * 3, UINO_PIXEL_RGB8 };
    t->ref_image = ref_image;
    cabi_check(t, uino_session_add_reference(t->session, &t->ref_image, t->ref_mask, rw), "add_reference(valid)", -1);
    cabi_check(t, uino_session_create(&opts, &t->released), "create(valid)", -1);
    uino_session_release(t->released);   /* a released handle, for the calls below */
    return 0;
}

static inline int32_t random_side(Choices* c)
{
    return below(c, 8) ? 1 + below(c, 64) : cabi_odd_sides[below(c, CABI_ODD_COUNT)];
}

/* A random image descriptor; *buffer is allocated (and must be freed) when the descriptor is plausible and small. */
static inline UinoImage random_image(Choices* c, uint8_t** buffer)
{
    UinoImage im;
    im.width = random_side(c);
    im.height = random_side(c);
    im.format = below(c, 10) ? below(c, 5) : (below(c, 2) ? 5 : -1);
    int bpp = im.format == 4 ? 1 : (im.format == 2 || im.format == 3) ? 4 : 3;
    int64_t row = (int64_t)im.width * bpp;
    int64_t stride = row + (below(c, 4) ? 0 : below(c, 9) - 4);
    im.stride_bytes = below(c, 20) ? (int32_t)(stride > INT32_MAX ? INT32_MAX : stride < INT32_MIN ? INT32_MIN : stride)
                                   : cabi_odd_sides[below(c, CABI_ODD_COUNT)];
    int64_t needed = im.width > 0 && im.height > 0 && im.stride_bytes >= row ? (int64_t)(im.height - 1) * im.stride_bytes + row : -1;
    *buffer = NULL;
    if (needed > 0 && needed <= (4 << 20) && below(c, 10)) *buffer = malloc((size_t)needed);
    if (*buffer) memset(*buffer, below(c, 256), (size_t)needed);
    im.data = *buffer;   /* NULL with a plausible descriptor must be refused, never read */
    return im;
}

/* A mask buffer for width x height with stride; NULL when implausible or by chance. */
static inline uint8_t* random_mask(Choices* c, const UinoImage* im, int32_t* stride)
{
    *stride = below(c, 6) ? 0 : (below(c, 2) ? im->width + below(c, 8) - 2 : cabi_odd_sides[below(c, CABI_ODD_COUNT)]);
    int32_t s = *stride == 0 ? im->width : *stride;
    int64_t needed = im->width > 0 && im->height > 0 && s >= im->width ? (int64_t)(im->height - 1) * s + im->width : -1;
    if (needed <= 0 || needed > (4 << 20) || !below(c, 12)) return NULL;
    uint8_t* m = malloc((size_t)needed);
    int fill = below(c, 3);   /* 0: empty, 1: half object, 2: all object */
    for (int64_t i = 0; i < needed; i++) m[i] = fill == 0 ? 0 : fill == 2 ? 255 : (i % s < im->width / 2 ? 255 : 0);
    return m;
}

/* One random call. */
static inline void cabi_one_call(CabiTarget* t, Choices* c, long i)
{
    UinoSession* handles[] = { t->session, t->session, t->session, t->session, NULL, t->released, (UinoSession*)0x1, (UinoSession*)0xdeadbeef };
    const char* paths[] = { t->model, "/nonexistent/model.safetensors", "", "/tmp", "/dev/null", "/etc/hostname", NULL };
    const char* devices[] = { "cpu", NULL, "cuda", "cuda:9", "gpu", "", "cpu:0" };
    UinoSession* h = handles[below(c, 8)];
    uint8_t *buf = NULL, *mask = NULL;
    int32_t mstride = 0;
    UinoImage im = random_image(c, &buf);
    switch (below(c, 7))
    {
    case 0:
    {
        UinoSessionOptions o = { below(c, 8) ? sizeof o : (uint32_t)below(c, 64), paths[below(c, 7)], devices[below(c, 7)],
                                 below(c, 4) ? 1 : (int32_t)cabi_odd_sides[below(c, CABI_ODD_COUNT)] };
        if (o.num_threads > 2 || o.num_threads == 0) o.num_threads = 1;   /* the machine is shared: never more */
        UinoSession* created = (UinoSession*)0x1;
        UinoSessionOptions* po = below(c, 10) ? &o : NULL;
        UinoSession** out = below(c, 10) ? &created : NULL;
        if (po && po->model_path == t->model && below(c, 4)) po->model_path = "/nonexistent";   /* loads are slow: few valid ones */
        cabi_check(t, uino_session_create(po, out), "create", i);
        if (out && created != (UinoSession*)0x1) uino_session_release(created);
        break;
    }
    case 1:
        mask = random_mask(c, &im, &mstride);
        cabi_check(t, uino_session_add_reference(h, below(c, 12) ? &im : NULL, mask, mstride), "add_reference", i);
        if (h == t->session && below(c, 2))
        {
            cabi_check(t, uino_session_clear_references(t->session), "clear", i);
            cabi_check(t, uino_session_add_reference(t->session, &t->ref_image, t->ref_mask, t->ref_image.width), "re-add", i);
        }
        break;
    case 2:
    case 3:
    {
        mask = random_mask(c, &im, &mstride);
        float score = -1;
        cabi_check(t, uino_session_segment(h, below(c, 12) ? &im : NULL, mask, mstride, below(c, 2) ? &score : NULL), "segment", i);
        break;
    }
    case 4:
        cabi_check(t, uino_session_clear_references(h), "clear_references", i);
        if (h == t->session) cabi_check(t, uino_session_add_reference(t->session, &t->ref_image, t->ref_mask, t->ref_image.width), "re-add", i);
        break;
    case 5:
    {
        int64_t n; double sum;
        cabi_check(t, uino_session_model_info(h, below(c, 2) ? &n : NULL, below(c, 2) ? &sum : NULL), "model_info", i);
        break;
    }
    default:
        if (uino_status_code(NULL) != UINO_OK || strcmp(uino_status_message(NULL), "") != 0) { t->failures++; fprintf(stderr, "status(NULL)\n"); }
        uino_status_release(NULL);
        uino_session_release(below(c, 2) ? NULL : t->released);   /* NULL and double release are harmless */
        break;
    }
    free(buf);
    free(mask);
}

/* The session must still segment a valid frame; counts a failure if not. */
static inline void cabi_still_works(CabiTarget* t)
{
    int qw = 48, qh = 36;
    uint8_t *q = make_rgb(qw, qh), *out = malloc((size_t)qw * qh);
    UinoImage query = { q, qw, qh, qw * 3, UINO_PIXEL_RGB8 };
    float score = -1;
    UinoStatus* st = uino_session_segment(t->session, &query, out, qw, &score);
    if (st || score < 0 || score > 1) { fprintf(stderr, "the session no longer segments: %s\n", st ? uino_status_message(st) : "bad score"); t->failures++; }
    uino_status_release(st);
    free(q);
    free(out);
}

static inline void cabi_close(CabiTarget* t)
{
    uino_session_release(t->session);
    free(t->ref);
    free(t->ref_mask);
}

#endif
