/* The C test host: links the INSTALLED libuino like any C program and exercises every function of uino.h.
 * usage: test_uino <test-data-dir> [--no-threads]
 * The data dir comes from tests/Uino.Native.Tests (run by the native-interop build): tiny.safetensors,
 * reference.ppm, reference.mask.pgm, query.ppm, query.expected.pgm and expected.txt (the .NET API's results). */
#include "uino.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures = 0, checks = 0;
#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf("\n"); } } while (0)

typedef struct { unsigned char* px; int w, h, c; } Pnm;

static Pnm read_pnm(const char* path) {
    Pnm p = {0};
    FILE* f = fopen(path, "rb");
    if (!f) { printf("cannot open %s\n", path); exit(2); }
    char magic[3] = {0};
    int maxval = 0;
    if (fscanf(f, "%2s %d %d %d", magic, &p.w, &p.h, &maxval) != 4 || maxval != 255) { printf("bad pnm %s\n", path); exit(2); }
    fgetc(f);
    p.c = strcmp(magic, "P6") == 0 ? 3 : 1;
    size_t n = (size_t)p.w * p.h * p.c;
    p.px = malloc(n);
    if (fread(p.px, 1, n, f) != n) { printf("short pnm %s\n", path); exit(2); }
    fclose(f);
    return p;
}

static char data_dir[1024];
static const char* data(const char* name) {
    static char buf[4][1200]; static int i = 0;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", data_dir, name);
    return buf[i];
}

static char exp_model[1024];
static double exp_score, exp_abs_sum, dotnet_ms;
static long long exp_tensors;

static void read_expected(void) {
    FILE* f = fopen(data("expected.txt"), "r");
    if (!f) { printf("no expected.txt\n"); exit(2); }
    char key[64], val[1024];
    while (fscanf(f, "%63s %1023s", key, val) == 2) {
        if (!strcmp(key, "model")) snprintf(exp_model, sizeof exp_model, "%s", val);
        else if (!strcmp(key, "score")) exp_score = atof(val);
        else if (!strcmp(key, "abs_sum")) exp_abs_sum = atof(val);
        else if (!strcmp(key, "state_tensors")) exp_tensors = atoll(val);
        else if (!strcmp(key, "dotnet_segment_ms")) dotnet_ms = atof(val);
    }
    fclose(f);
}

static double now_ms(void) {
    struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Checks the code of a status, that its message is non-empty (and mentions `needle`), and releases it. */
static void expect(UinoStatus* s, UinoCode code, const char* needle, const char* what) {
    UinoCode got = uino_status_code(s);
    const char* msg = uino_status_message(s);
    CHECK(got == code, "%s: code %d, expected %d (message: %s)", what, got, code, msg);
    if (code != UINO_OK) {
        CHECK(s != NULL && msg != NULL && strlen(msg) > 0, "%s: empty message", what);
        if (needle) CHECK(strstr(msg, needle) != NULL, "%s: message '%s' does not mention '%s'", what, msg, needle);
    } else {
        CHECK(s == NULL, "%s: success must be NULL", what);
    }
    if (getenv("UINO_TEST_VERBOSE") && s) printf("  %-42s -> %d %s\n", what, got, msg);
    uino_status_release(s);
}

static UinoSessionOptions options_for(const char* model) {
    UinoSessionOptions o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.model_path = model;
    return o;
}

static Pnm ref_img, ref_mask, query, expected;

static UinoImage image_of(const Pnm* p, int format) {
    UinoImage im = { p->px, p->w, p->h, p->w * p->c, format };
    return im;
}

static int mask_diff(const unsigned char* a, int a_stride, const Pnm* b) {
    int d = 0;
    for (int y = 0; y < b->h; y++)
        for (int x = 0; x < b->w; x++)
            d += (a[y * a_stride + x] != 0) != (b->px[y * b->w + x] != 0);
    return d;
}

/* Largest tolerated disagreement with the .NET mask: none expected (same code, same libtorch); a few pixels of
 * slack for threading-dependent float summation order. */
static int tolerance(void) { return expected.w * expected.h / 1000; }

static UinoSession* new_session(void) {
    UinoSessionOptions o = options_for(exp_model);
    UinoSession* s = NULL;
    UinoStatus* st = uino_session_create(&o, &s);
    CHECK(st == NULL && s != NULL, "create: %s", uino_status_message(st));
    uino_status_release(st);
    return s;
}

static void test_basics(void) {
    CHECK(uino_api_version() == UINO_API_VERSION, "api version %u", uino_api_version());
    const char* v = uino_version_string();
    CHECK(v && strstr(v, "uino") == v, "version string '%s'", v ? v : "(null)");
    CHECK(uino_status_code(NULL) == UINO_OK, "status_code(NULL)");
    CHECK(uino_status_message(NULL) && uino_status_message(NULL)[0] == 0, "status_message(NULL)");
    uino_status_release(NULL);
    uino_session_release(NULL);
    printf("%s\n", v);
}

static void test_create_errors(void) {
    UinoSession* s = (UinoSession*)0x1;
    UinoSessionOptions o = options_for(exp_model);
    expect(uino_session_create(NULL, &s), UINO_INVALID_ARGUMENT, "options", "create(NULL options)");
    CHECK(s == NULL, "out_session not cleared on failure");
    expect(uino_session_create(&o, NULL), UINO_INVALID_ARGUMENT, "out_session", "create(NULL out)");
    o.struct_size = 0;
    expect(uino_session_create(&o, &s), UINO_INVALID_ARGUMENT, "struct_size", "create(struct_size 0)");
    o.struct_size = sizeof o + 8;
    expect(uino_session_create(&o, &s), UINO_INVALID_ARGUMENT, "struct_size", "create(struct_size too big)");
    o = options_for("/nonexistent/dir/model.safetensors");
    expect(uino_session_create(&o, &s), UINO_NOT_FOUND, "/nonexistent/dir/model.safetensors", "create(missing model)");
    CHECK(s == NULL, "out_session set on failure");
    o = options_for(data("expected.txt"));
    expect(uino_session_create(&o, &s), UINO_INVALID_MODEL, "expected.txt", "create(not a model)");
    o = options_for(data("reference.ppm"));
    expect(uino_session_create(&o, &s), UINO_INVALID_MODEL, NULL, "create(image as model)");
    o = options_for(data_dir);
    expect(uino_session_create(&o, &s), UINO_NOT_FOUND, "directory", "create(directory as model)");
    o = options_for(exp_model);
    o.device = "tpu";
    expect(uino_session_create(&o, &s), UINO_INVALID_ARGUMENT, "tpu", "create(unknown device)");
    o.device = "cuda:x";
    expect(uino_session_create(&o, &s), UINO_INVALID_ARGUMENT, "cuda:x", "create(bad cuda index)");
    o.device = NULL;
    o.num_threads = -3;
    expect(uino_session_create(&o, &s), UINO_INVALID_ARGUMENT, "num_threads", "create(negative threads)");
    CHECK(s == NULL, "out_session set on failure");
}

static void test_session(void) {
    UinoSession* s = new_session();
    if (!s) return;
    int64_t tensors = 0; double abs_sum = 0;
    expect(uino_session_model_info(s, &tensors, &abs_sum), UINO_OK, NULL, "model_info");
    CHECK(tensors == exp_tensors && tensors > 0, "state_dict has %lld tensors in libuino, %lld in .NET", (long long)tensors, exp_tensors);
    CHECK(fabs(abs_sum - exp_abs_sum) <= 1e-9 * fabs(exp_abs_sum), "state_dict checksum %.17g vs .NET %.17g", abs_sum, exp_abs_sum);
    expect(uino_session_model_info(s, NULL, NULL), UINO_OK, NULL, "model_info(NULL outs)");

    int w = query.w, h = query.h;
    unsigned char* out = calloc((size_t)w * h, 1);
    UinoImage q = image_of(&query, UINO_PIXEL_RGB8), r = image_of(&ref_img, UINO_PIXEL_RGB8);
    float score = -1;

    expect(uino_session_segment(s, &q, out, w, &score), UINO_NO_REFERENCE, "reference", "segment before reference");

    /* argument errors of add_reference */
    expect(uino_session_add_reference(NULL, &r, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "NULL", "add_reference(NULL session)");
    expect(uino_session_add_reference(s, NULL, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "image", "add_reference(NULL image)");
    expect(uino_session_add_reference(s, &r, NULL, r.width), UINO_INVALID_ARGUMENT, "mask", "add_reference(NULL mask)");
    expect(uino_session_add_reference(s, &r, ref_mask.px, r.width - 1), UINO_INVALID_ARGUMENT, "stride", "add_reference(mask stride < row)");
    expect(uino_session_add_reference(s, &r, ref_mask.px, -5), UINO_INVALID_ARGUMENT, "stride", "add_reference(negative mask stride)");
    UinoImage bad = r; bad.data = NULL;
    expect(uino_session_add_reference(s, &bad, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "data", "add_reference(NULL data)");
    bad = r; bad.width = 0;
    expect(uino_session_add_reference(s, &bad, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "positive", "add_reference(width 0)");
    bad = r; bad.height = -2;
    expect(uino_session_add_reference(s, &bad, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "positive", "add_reference(height -2)");
    bad = r; bad.stride_bytes = r.width * 3 - 1;
    expect(uino_session_add_reference(s, &bad, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "stride", "add_reference(stride < row)");
    bad = r; bad.format = 5;
    expect(uino_session_add_reference(s, &bad, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "format", "add_reference(format 5)");
    bad = r; bad.format = -1;
    expect(uino_session_add_reference(s, &bad, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "format", "add_reference(format -1)");
    expect(uino_session_segment(s, &q, out, w, &score), UINO_NO_REFERENCE, NULL, "segment after failed add_reference");

    /* the happy path: the same mask as the .NET API */
    expect(uino_session_add_reference(s, &r, ref_mask.px, r.width), UINO_OK, NULL, "add_reference");
    double t0 = now_ms();
    expect(uino_session_segment(s, &q, out, w, &score), UINO_OK, NULL, "segment");
    double first = now_ms() - t0;
    int d = mask_diff(out, w, &expected);
    CHECK(d <= tolerance(), "mask differs from the .NET API's in %d of %d pixels", d, w * h);
    CHECK(fabs(score - exp_score) < 1e-4, "score %.6f, .NET %.6f", score, exp_score);
    int binary = 1;
    for (int i = 0; i < w * h; i++) if (out[i] != 0 && out[i] != 255) binary = 0;
    CHECK(binary, "mask values are not 0/255");
    t0 = now_ms();
    int runs = getenv("UINO_TEST_QUICK") ? 1 : 3;
    for (int i = 0; i < runs; i++) expect(uino_session_segment(s, &q, out, w, NULL), UINO_OK, NULL, "segment(score NULL)");
    printf("segment from C: first %.1f ms, then %.1f ms each (the .NET API: %.1f ms); %d pixels differ from .NET\n",
           first, (now_ms() - t0) / runs, dotnet_ms, d);

    /* argument errors of segment */
    expect(uino_session_segment(NULL, &q, out, w, NULL), UINO_INVALID_ARGUMENT, "NULL", "segment(NULL session)");
    expect(uino_session_segment(s, NULL, out, w, NULL), UINO_INVALID_ARGUMENT, "frame", "segment(NULL frame)");
    expect(uino_session_segment(s, &q, NULL, w, NULL), UINO_INVALID_ARGUMENT, "mask_out", "segment(NULL mask_out)");
    expect(uino_session_segment(s, &q, out, w - 1, NULL), UINO_INVALID_ARGUMENT, "stride", "segment(mask_out stride < row)");
    expect(uino_session_segment(s, &q, out, 0, NULL), UINO_INVALID_ARGUMENT, "stride", "segment(mask_out stride 0)");
    bad = q; bad.width = -1;
    expect(uino_session_segment(s, &bad, out, w, NULL), UINO_INVALID_ARGUMENT, "positive", "segment(width -1)");
    bad = q; bad.height = 0;
    expect(uino_session_segment(s, &bad, out, w, NULL), UINO_INVALID_ARGUMENT, "positive", "segment(height 0)");
    bad = q; bad.stride_bytes = 10;
    expect(uino_session_segment(s, &bad, out, w, NULL), UINO_INVALID_ARGUMENT, "stride", "segment(stride < row)");
    bad = q; bad.format = 99;
    expect(uino_session_segment(s, &bad, out, w, NULL), UINO_INVALID_ARGUMENT, "99", "segment(format 99)");
    bad = q; bad.data = NULL;
    expect(uino_session_segment(s, &bad, out, w, NULL), UINO_INVALID_ARGUMENT, "data", "segment(NULL data)");

    /* other layouts of the same pixels give the same mask; padding of the output rows stays untouched */
    int pad = 7, ostride = w + 5;
    unsigned char* bgra = malloc((size_t)(4 * w + pad) * h);
    unsigned char* bgr = malloc((size_t)3 * w * h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const unsigned char* p = query.px + 3 * (y * w + x);
            unsigned char* o4 = bgra + y * (4 * w + pad) + 4 * x;
            unsigned char* o3 = bgr + 3 * (y * w + x);
            o4[0] = p[2]; o4[1] = p[1]; o4[2] = p[0]; o4[3] = 17;
            o3[0] = p[2]; o3[1] = p[1]; o3[2] = p[0];
        }
    unsigned char* padded = malloc((size_t)ostride * h);
    memset(padded, 0xAB, (size_t)ostride * h);
    UinoImage qb = { bgra, w, h, 4 * w + pad, UINO_PIXEL_BGRA8 };
    expect(uino_session_segment(s, &qb, padded, ostride, NULL), UINO_OK, NULL, "segment(BGRA8, padded stride)");
    d = mask_diff(padded, ostride, &expected);
    CHECK(d <= tolerance(), "BGRA8 mask differs from the .NET RGB mask in %d pixels", d);
    int untouched = 1;
    for (int y = 0; y < h; y++) for (int x = w; x < ostride; x++) if (padded[y * ostride + x] != 0xAB) untouched = 0;
    CHECK(untouched, "segment wrote into the padding of mask_out");
    UinoImage q3 = { bgr, w, h, 3 * w, UINO_PIXEL_BGR8 };
    expect(uino_session_segment(s, &q3, out, w, NULL), UINO_OK, NULL, "segment(BGR8)");
    d = mask_diff(out, w, &expected);
    CHECK(d <= tolerance(), "BGR8 mask differs from the .NET RGB mask in %d pixels", d);
    UinoImage qg = { query.px, w, h / 3, 3 * w, UINO_PIXEL_GRAY8 };   /* any bytes make a gray image */
    expect(uino_session_segment(s, &qg, out, w, NULL), UINO_OK, NULL, "segment(GRAY8, other size)");
    UinoImage small = { query.px, 37, 20, 3 * w, UINO_PIXEL_RGBA8 };
    expect(uino_session_segment(s, &small, out, 37, NULL), UINO_OK, NULL, "segment(RGBA8 37x20 window)");

    /* a second shot, then clear */
    expect(uino_session_add_reference(s, &r, ref_mask.px, r.width), UINO_OK, NULL, "add_reference (2nd shot)");
    expect(uino_session_segment(s, &q, out, w, NULL), UINO_OK, NULL, "segment (2 shots)");
    expect(uino_session_clear_references(s), UINO_OK, NULL, "clear_references");
    expect(uino_session_segment(s, &q, out, w, NULL), UINO_NO_REFERENCE, NULL, "segment after clear");
    expect(uino_session_clear_references(NULL), UINO_INVALID_ARGUMENT, "NULL", "clear_references(NULL)");

    /* released handles are reported, not dereferenced */
    uino_session_release(s);
    expect(uino_session_segment(s, &q, out, w, NULL), UINO_INVALID_ARGUMENT, "session", "segment(released session)");
    expect(uino_session_add_reference(s, &r, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "session", "add_reference(released)");
    expect(uino_session_clear_references(s), UINO_INVALID_ARGUMENT, "session", "clear_references(released)");
    expect(uino_session_model_info(s, NULL, NULL), UINO_INVALID_ARGUMENT, "session", "model_info(released)");
    uino_session_release(s);   /* twice: harmless */
    expect(uino_session_segment((UinoSession*)0x12345678, &q, out, w, NULL), UINO_INVALID_ARGUMENT, "session", "segment(made-up handle)");
    free(out); free(bgra); free(bgr); free(padded);
}

/* ---- threads ---- */

typedef struct { UinoSession* s; int ok, busy, other, iterations; int diff; } Worker;

static void* own_session(void* arg) {
    Worker* wk = arg;
    int w = query.w, h = query.h;
    unsigned char* out = malloc((size_t)w * h);
    UinoImage q = image_of(&query, UINO_PIXEL_RGB8), r = image_of(&ref_img, UINO_PIXEL_RGB8);
    UinoStatus* st = uino_session_add_reference(wk->s, &r, ref_mask.px, r.width);
    if (st) wk->other++;
    uino_status_release(st);
    for (int i = 0; i < wk->iterations; i++) {
        st = uino_session_segment(wk->s, &q, out, w, NULL);
        if (!st) { wk->ok++; wk->diff += mask_diff(out, w, &expected); }
        else wk->other++;
        uino_status_release(st);
    }
    free(out);
    (void)h;
    return NULL;
}

static volatile int hammer_stop = 0;
static void* hammer(void* arg) {
    Worker* wk = arg;
    int w = query.w;
    unsigned char* out = malloc((size_t)w * query.h);
    UinoImage q = image_of(&query, UINO_PIXEL_RGB8);
    while (!hammer_stop) {
        UinoStatus* st = uino_session_segment(wk->s, &q, out, w, NULL);
        UinoCode c = uino_status_code(st);
        if (c == UINO_OK) wk->ok++;
        else if (c == UINO_RUNTIME_ERROR && strstr(uino_status_message(st), "in use")) {
            wk->busy++;
            struct timespec ts = { 0, 2 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
        else { wk->other++; printf("  unexpected: %d %s\n", c, uino_status_message(st)); }
        uino_status_release(st);
    }
    free(out);
    return NULL;
}

static void test_threads(void) {
    Worker a = { new_session(), 0, 0, 0, 2, 0 }, b = { new_session(), 0, 0, 0, 2, 0 };
    if (!a.s || !b.s) return;
    pthread_t ta, tb;
    pthread_create(&ta, NULL, own_session, &a);
    pthread_create(&tb, NULL, own_session, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK(a.ok == 2 && b.ok == 2 && a.other == 0 && b.other == 0, "two sessions on two threads: %d+%d ok, %d+%d errors", a.ok, b.ok, a.other, b.other);
    CHECK(a.diff <= 2 * tolerance() && b.diff <= 2 * tolerance(), "concurrent masks differ from .NET: %d, %d pixels", a.diff, b.diff);

    /* one session shared by two threads: calls that overlap are refused with a status, never crash */
    Worker h1 = { a.s, 0, 0, 0, 0, 0 }, h2 = { a.s, 0, 0, 0, 0, 0 };
    hammer_stop = 0;
    pthread_create(&ta, NULL, hammer, &h1);
    pthread_create(&tb, NULL, hammer, &h2);
    double t0 = now_ms();
    while (now_ms() - t0 < 3000 && (h1.ok + h2.ok < 4 || h1.busy + h2.busy < 1)) {
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    /* release while the other threads may be inside a call: safe, later calls get INVALID_ARGUMENT */
    uino_session_release(a.s);
    hammer_stop = 1;
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    printf("shared session: %d ok, %d refused as in use, %d other (invalid after release)\n",
           h1.ok + h2.ok, h1.busy + h2.busy, h1.other + h2.other);
    CHECK(h1.ok + h2.ok >= 1, "no call on the shared session succeeded");
    CHECK(h1.busy + h2.busy >= 1, "overlapping calls on one session were never refused");
    uino_session_release(b.s);
}

int main(int argc, char** argv) {
    if (argc < 2) { printf("usage: %s <test-data-dir> [--no-threads]\n", argv[0]); return 2; }
    snprintf(data_dir, sizeof data_dir, "%s", argv[1]);
    int threads = !(argc > 2 && strcmp(argv[2], "--no-threads") == 0);
    read_expected();
    ref_img = read_pnm(data("reference.ppm"));
    ref_mask = read_pnm(data("reference.mask.pgm"));
    query = read_pnm(data("query.ppm"));
    expected = read_pnm(data("query.expected.pgm"));

    double t0 = now_ms();
    UinoSessionOptions o = options_for(exp_model);
    UinoSession* s = NULL;
    UinoStatus* st = uino_session_create(&o, &s);
    printf("cold start: first uino_session_create %.1f ms (%s)\n", now_ms() - t0, st ? uino_status_message(st) : "ok");
    uino_status_release(st);
    uino_session_release(s);

    test_basics();
    test_create_errors();
    test_session();
    if (threads) test_threads();

    free(ref_img.px); free(ref_mask.px); free(query.px); free(expected.px);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
