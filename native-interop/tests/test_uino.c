/* The C test host: links the INSTALLED libuino like any C program and exercises every function of uino.h.
 * usage: test_uino <test-data-dir> [--no-threads]
 *        test_uino <test-data-dir> --default-only              the embedded model only: loads, right weights, mask
 *        test_uino <test-data-dir> --no-resnet-file WORD...    libuino cannot find ResNet18.onnx: creating the
 *                                                              embedded model fails cleanly, naming each WORD
 * (the last two are run by resnet_locations.cmake from libuino copies in other folders.)
 * The data dir comes from tests/Uino.Native.Tests (run by the native-interop build): tiny.safetensors,
 * reference.ppm, reference.mask.pgm, query.ppm, and for the tiny model and the embedded default model
 * (model_path NULL) the public .NET API's mask (tiny.expected.pgm, default.expected.pgm) and, in expected.txt,
 * its score, state_dict summary and warm segment time.
 * UINO_TEST_RUNS=N times N warm segments (median, min) on each model after UINO_TEST_WARMUP untimed ones;
 * UINO_TEST_THREADS=N sets num_threads;
 * UINO_TEST_QUICK=1 (valgrind) skips timing and the embedded model's inference. */
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

/* What the .NET API computed for one model (tests/Uino.Native.Tests). */
typedef struct {
    const char* name;   /* "tiny" or "default" */
    double score, abs_sum, dotnet_ms;
    long long tensors;
    Pnm mask;
} Expected;

static char tiny_model[1024];
static int default_resnet_file = 0;   /* the embedded model loads its encoder from ResNet18.onnx */
static Expected tiny = { "tiny", 0, 0, 0, 0, {0} }, embedded = { "default", 0, 0, 0, 0, {0} };

static void read_expected(void) {
    FILE* f = fopen(data("expected.txt"), "r");
    if (!f) { printf("no expected.txt\n"); exit(2); }
    char key[64], val[1024];
    while (fscanf(f, "%63s %1023s", key, val) == 2) {
        if (!strcmp(key, "model")) { snprintf(tiny_model, sizeof tiny_model, "%s", val); continue; }
        if (!strcmp(key, "default_resnet_file")) { default_resnet_file = atoi(val); continue; }
        Expected* e = strncmp(key, "tiny_", 5) == 0 ? &tiny : strncmp(key, "default_", 8) == 0 ? &embedded : NULL;
        if (!e) continue;
        const char* k = strchr(key, '_') + 1;
        if (!strcmp(k, "score")) e->score = atof(val);
        else if (!strcmp(k, "abs_sum")) e->abs_sum = atof(val);
        else if (!strcmp(k, "state_tensors")) e->tensors = atoll(val);
        else if (!strcmp(k, "dotnet_segment_ms")) e->dotnet_ms = atof(val);
    }
    fclose(f);
    if (!tiny_model[0] || tiny.tensors == 0 || embedded.tensors == 0) { printf("incomplete expected.txt\n"); exit(2); }
    tiny.mask = read_pnm(data("tiny.expected.pgm"));
    embedded.mask = read_pnm(data("default.expected.pgm"));
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
    /* UINO_TEST_THREADS: intra-op threads for timing runs (Uino.Native.Tests reads the same variable) */
    const char* threads = getenv("UINO_TEST_THREADS");
    o.num_threads = threads ? atoi(threads) : 0;
    return o;
}

static Pnm ref_img, ref_mask, query;
static void add_sample_reference(UinoSession* s);

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

/* Largest tolerated disagreement with the .NET mask: none expected (same code, same libtorch); 0.1% of slack for
 * threading-dependent float summation order. The runs so far found 0 pixels. */
static int tolerance(void) { return query.w * query.h / 1000; }

static UinoSession* new_session(const char* model) {
    UinoSessionOptions o = options_for(model);
    UinoSession* s = NULL;
    UinoStatus* st = uino_session_create(&o, &s);
    CHECK(st == NULL && s != NULL, "create(%s): %s", model ? model : "embedded default", uino_status_message(st));
    uino_status_release(st);
    return s;
}

/* UINO_TEST_QUICK (the valgrind run, ~50x slower): no timing runs, no inference on the embedded model. */
static int quick(void) { return getenv("UINO_TEST_QUICK") != NULL; }

static int timing_runs(void) {
    if (quick()) return 0;
    const char* n = getenv("UINO_TEST_RUNS");
    return n && atoi(n) > 0 ? atoi(n) : 3;
}

static int cmp_double(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

/* The state_dict libuino loaded (NativeAOT) equals what the JIT-compiled .NET API loaded: a trimmed-away module
 * field would drop tensors or leave weights at their random init. */
static void check_model_info(UinoSession* s, const Expected* e) {
    int64_t tensors = 0; double abs_sum = 0;
    expect(uino_session_model_info(s, &tensors, &abs_sum), UINO_OK, NULL, "model_info");
    CHECK(tensors == e->tensors && tensors > 0, "%s model: state_dict has %lld tensors in libuino, %lld in .NET",
          e->name, (long long)tensors, e->tensors);
    CHECK(fabs(abs_sum - e->abs_sum) <= 1e-9 * fabs(e->abs_sum), "%s model: state_dict checksum %.17g vs .NET %.17g",
          e->name, abs_sum, e->abs_sum);
}

/* Adds the sample reference, segments the sample query: the mask and score of the .NET API; times warm calls. */
static void check_happy_path(UinoSession* s, const Expected* e) {
    int w = query.w, h = query.h;
    unsigned char* out = calloc((size_t)w * h, 1);
    UinoImage q = image_of(&query, UINO_PIXEL_RGB8), r = image_of(&ref_img, UINO_PIXEL_RGB8);
    float score = -1;
    expect(uino_session_add_reference(s, &r, ref_mask.px, r.width), UINO_OK, NULL, "add_reference");
    expect(uino_session_segment(s, &q, out, w, &score), UINO_OK, NULL, "segment");
    int d = mask_diff(out, w, &e->mask);
    CHECK(d <= tolerance(), "%s model: mask differs from the .NET API's in %d of %d pixels", e->name, d, w * h);
    CHECK(fabs(score - e->score) < 1e-4, "%s model: score %.6f, .NET %.6f", e->name, score, e->score);
    int binary = 1, object = 0;
    for (int i = 0; i < w * h; i++) { if (out[i] != 0 && out[i] != 255) binary = 0; object += out[i] != 0; }
    CHECK(binary, "mask values are not 0/255");
    CHECK(object > 0 && object < w * h, "%s model: %d object pixels of %d: a mask must separate something", e->name, object, w * h);
    int runs = timing_runs();
    const char* warmup = getenv("UINO_TEST_WARMUP");   /* untimed calls first, as for .NET */
    for (int i = 0, n = runs > 0 && warmup ? atoi(warmup) : 0; i < n; i++)
        expect(uino_session_segment(s, &q, out, w, NULL), UINO_OK, NULL, "segment(warm-up)");
    double times[64];
    if (runs > 64) runs = 64;
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        expect(uino_session_segment(s, &q, out, w, NULL), UINO_OK, NULL, "segment(score NULL)");
        times[i] = now_ms() - t0;
    }
    qsort(times, (size_t)runs, sizeof times[0], cmp_double);
    if (runs > 0)
        printf("%s model: segment from C median %.1f ms, min %.1f ms of %d warm (the .NET API: median %.1f ms); %d pixels differ from .NET, score %.4f\n",
               e->name, times[runs / 2], times[0], runs, e->dotnet_ms, d, score);
    else
        printf("%s model: %d pixels differ from .NET, score %.4f (.NET %.4f)\n", e->name, d, score, e->score);
    free(out);
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
    UinoSessionOptions o = options_for(tiny_model);
    expect(uino_session_create(NULL, &s), UINO_INVALID_ARGUMENT, "options", "create(NULL options)");
    CHECK(s == NULL, "out_session not cleared on failure");
    expect(uino_session_create(&o, NULL), UINO_INVALID_ARGUMENT, "out_session", "create(NULL out)");
    o.struct_size = 0;
    expect(uino_session_create(&o, &s), UINO_INVALID_ARGUMENT, "struct_size", "create(struct_size 0)");
    o.struct_size = sizeof o + 8;
    expect(uino_session_create(&o, &s), UINO_INVALID_ARGUMENT, "struct_size", "create(struct_size too big)");
    o.struct_size = sizeof o - 8;
    expect(uino_session_create(&o, &s), UINO_INVALID_ARGUMENT, "struct_size", "create(struct_size too small)");
    o = options_for("/nonexistent/dir/model.safetensors");
    expect(uino_session_create(&o, &s), UINO_NOT_FOUND, "/nonexistent/dir/model.safetensors", "create(missing model)");
    CHECK(s == NULL, "out_session set on failure");
    o = options_for("");
    expect(uino_session_create(&o, &s), UINO_INVALID_ARGUMENT, "model_path", "create(empty model path)");
    o = options_for(data("expected.txt"));
    expect(uino_session_create(&o, &s), UINO_INVALID_MODEL, "expected.txt", "create(not a model)");
    o = options_for(data("reference.ppm"));
    expect(uino_session_create(&o, &s), UINO_INVALID_MODEL, "reference.ppm", "create(image as model)");
    o = options_for(data_dir);
    expect(uino_session_create(&o, &s), UINO_INVALID_ARGUMENT, "directory", "create(directory as model)");
    o = options_for(tiny_model);
    o.device = "tpu";
    expect(uino_session_create(&o, &s), UINO_INVALID_ARGUMENT, "tpu", "create(unknown device)");
    o.device = "cuda:x";
    expect(uino_session_create(&o, &s), UINO_INVALID_ARGUMENT, "cuda:x", "create(bad cuda index)");
    o.device = "cuda";
    expect(uino_session_create(&o, &s), UINO_INVALID_ARGUMENT, "CUDA", "create(cuda in a CPU build)");
    o.device = NULL;
    o.num_threads = -3;
    expect(uino_session_create(&o, &s), UINO_INVALID_ARGUMENT, "num_threads", "create(negative threads)");
    CHECK(s == NULL, "out_session set on failure");
}

static void test_session(void) {
    UinoSession* s = new_session(tiny_model);
    if (!s) return;
    check_model_info(s, &tiny);
    expect(uino_session_model_info(s, NULL, NULL), UINO_OK, NULL, "model_info(NULL outs)");
    expect(uino_session_model_info(NULL, NULL, NULL), UINO_INVALID_ARGUMENT, "NULL", "model_info(NULL session)");

    int w = query.w, h = query.h;
    unsigned char* out = calloc((size_t)w * h, 1);
    UinoImage q = image_of(&query, UINO_PIXEL_RGB8), r = image_of(&ref_img, UINO_PIXEL_RGB8);
    float score = -1;

    expect(uino_session_segment(s, &q, out, w, &score), UINO_NO_REFERENCE, "uino_session_add_reference", "segment before reference");

    /* argument errors of add_reference */
    expect(uino_session_add_reference(NULL, &r, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "NULL", "add_reference(NULL session)");
    expect(uino_session_add_reference(s, NULL, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "image", "add_reference(NULL image)");
    expect(uino_session_add_reference(s, &r, NULL, r.width), UINO_INVALID_ARGUMENT, "mask", "add_reference(NULL mask)");
    expect(uino_session_add_reference(s, &r, ref_mask.px, r.width - 1), UINO_INVALID_ARGUMENT, "stride", "add_reference(mask stride < row)");
    expect(uino_session_add_reference(s, &r, ref_mask.px, 0), UINO_INVALID_ARGUMENT, "stride", "add_reference(mask stride 0)");
    expect(uino_session_add_reference(s, &r, ref_mask.px, -5), UINO_INVALID_ARGUMENT, "stride", "add_reference(negative mask stride)");
    UinoImage bad = r; bad.data = NULL;
    expect(uino_session_add_reference(s, &bad, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "data", "add_reference(NULL data)");
    bad = r; bad.width = 0;
    expect(uino_session_add_reference(s, &bad, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "positive", "add_reference(width 0)");
    bad = r; bad.height = -2;
    expect(uino_session_add_reference(s, &bad, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "positive", "add_reference(height -2)");
    bad = r; bad.stride_bytes = r.width * 3 - 1;
    expect(uino_session_add_reference(s, &bad, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "stride", "add_reference(stride < row)");
    bad = r; bad.stride_bytes = -r.width * 3;
    expect(uino_session_add_reference(s, &bad, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "stride", "add_reference(negative stride)");
    bad = r; bad.format = 5;
    expect(uino_session_add_reference(s, &bad, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "format", "add_reference(format 5)");
    bad = r; bad.format = -1;
    expect(uino_session_add_reference(s, &bad, ref_mask.px, r.width), UINO_INVALID_ARGUMENT, "format", "add_reference(format -1)");
    /* masks the model cannot use: nothing marked, or nothing left as background */
    size_t mask_bytes = (size_t)r.width * r.height;
    unsigned char* flat = malloc(mask_bytes);
    memset(flat, 0, mask_bytes);
    expect(uino_session_add_reference(s, &r, flat, r.width), UINO_INVALID_ARGUMENT, "empty", "add_reference(empty mask)");
    memset(flat, 1, mask_bytes);
    expect(uino_session_add_reference(s, &r, flat, r.width), UINO_INVALID_ARGUMENT, "whole image", "add_reference(full mask)");
    free(flat);
    expect(uino_session_segment(s, &q, out, w, &score), UINO_NO_REFERENCE, NULL, "segment after failed add_reference");

    /* the happy path: the same mask as the .NET API */
    check_happy_path(s, &tiny);

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
    int d = mask_diff(padded, ostride, &tiny.mask);
    CHECK(d <= tolerance(), "BGRA8 mask differs from the .NET RGB mask in %d pixels", d);
    int untouched = 1;
    for (int y = 0; y < h; y++) for (int x = w; x < ostride; x++) if (padded[y * ostride + x] != 0xAB) untouched = 0;
    CHECK(untouched, "segment wrote into the padding of mask_out");
    UinoImage q3 = { bgr, w, h, 3 * w, UINO_PIXEL_BGR8 };
    expect(uino_session_segment(s, &q3, out, w, NULL), UINO_OK, NULL, "segment(BGR8)");
    d = mask_diff(out, w, &tiny.mask);
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

/* model_path NULL: the default model embedded in libuino.so, against the .NET API's new UinoSession(). Under
 * valgrind only its loading is checked (its inference runs the code paths the tiny model already covers). */
static void test_embedded_model(void) {
    double t0 = now_ms();
    UinoSession* s = new_session(NULL);
    if (!s) return;
    printf("embedded model: warm uino_session_create %.1f ms\n", now_ms() - t0);
    check_model_info(s, &embedded);
    if (!quick()) check_happy_path(s, &embedded);
    uino_session_release(s);
}

/* libuino cannot find ResNet18.onnx (no file beside it, in ../share/uino, or the NuGet folder; or
 * UINO_RESNET18_ONNX names a missing file): the embedded model is refused as INVALID_MODEL with a message that
 * says what to do and where it looked; nothing crashes and a model carrying its encoder still works. */
static void test_no_resnet_file(int nwords, char** words) {
    UinoSessionOptions o = options_for(NULL);
    UinoSession* s = NULL;
    UinoStatus* st = uino_session_create(&o, &s);
    if (default_resnet_file) {
        printf("embedded model without ResNet18.onnx: %s\n", uino_status_message(st));
        CHECK(uino_status_code(st) == UINO_INVALID_MODEL && s == NULL, "create: code %d, expected INVALID_MODEL", uino_status_code(st));
        const char* msg = uino_status_message(st);
        for (int i = 0; i < nwords; i++)
            CHECK(strstr(msg, words[i]) != NULL, "message '%s' does not mention '%s'", msg, words[i]);
        CHECK(strchr(msg, '\n') == NULL, "message is not one line: '%s'", msg);
    } else {
        printf("the embedded model carries its encoder: it needs no ResNet18.onnx\n");
        CHECK(st == NULL && s != NULL, "create: %s", uino_status_message(st));
    }
    uino_status_release(st);
    uino_session_release(s);
    s = new_session(tiny_model);
    if (s) {
        add_sample_reference(s);
        unsigned char* out = malloc((size_t)query.w * query.h);
        UinoImage q = image_of(&query, UINO_PIXEL_RGB8);
        expect(uino_session_segment(s, &q, out, query.w, NULL), UINO_OK, NULL, "segment (tiny model)");
        CHECK(mask_diff(out, query.w, &tiny.mask) <= tolerance(), "tiny model: mask differs from .NET");
        free(out);
        uino_session_release(s);
    }
}

/* ---- threads ---- */

typedef struct { UinoSession* s; int iterations; int ok, released, other, diff; } Worker;

/* Adds the reference (when asked) and segments `iterations` times, comparing each mask with .NET's. */
static void* segment_loop(void* arg) {
    Worker* wk = arg;
    int w = query.w;
    unsigned char* out = malloc((size_t)w * query.h);
    UinoImage q = image_of(&query, UINO_PIXEL_RGB8);
    for (int i = 0; i < wk->iterations; i++) {
        UinoStatus* st = uino_session_segment(wk->s, &q, out, w, NULL);
        if (!st) { wk->ok++; wk->diff += mask_diff(out, w, &tiny.mask); }
        else { wk->other++; printf("  unexpected: %d %s\n", uino_status_code(st), uino_status_message(st)); }
        uino_status_release(st);
    }
    free(out);
    return NULL;
}

static void add_sample_reference(UinoSession* s) {
    UinoImage r = image_of(&ref_img, UINO_PIXEL_RGB8);
    expect(uino_session_add_reference(s, &r, ref_mask.px, r.width), UINO_OK, NULL, "add_reference");
}

static void run_two(Worker* a, Worker* b) {
    pthread_t ta, tb;
    pthread_create(&ta, NULL, segment_loop, a);
    pthread_create(&tb, NULL, segment_loop, b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
}

static volatile int hammer_stop = 0;
/* Segments until told to stop; the session may be released meanwhile (a caller bug uino.h warns about). */
static void* hammer(void* arg) {
    Worker* wk = arg;
    int w = query.w;
    unsigned char* out = malloc((size_t)w * query.h);
    UinoImage q = image_of(&query, UINO_PIXEL_RGB8);
    while (!hammer_stop) {
        UinoStatus* st = uino_session_segment(wk->s, &q, out, w, NULL);
        UinoCode c = uino_status_code(st);
        if (c == UINO_OK) wk->ok++;
        else if (c == UINO_INVALID_ARGUMENT) {   /* released: back off instead of spinning on a shared machine */
            wk->released++;
            struct timespec ts = { 0, 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
        else { wk->other++; printf("  unexpected: %d %s\n", c, uino_status_message(st)); }
        uino_status_release(st);
    }
    free(out);
    return NULL;
}

static void test_threads(void) {
    /* two sessions on two threads at once: the same masks as single-threaded .NET */
    Worker a = { new_session(tiny_model), 3, 0, 0, 0, 0 }, b = { new_session(tiny_model), 3, 0, 0, 0, 0 };
    if (!a.s || !b.s) return;
    add_sample_reference(a.s);
    add_sample_reference(b.s);
    run_two(&a, &b);
    CHECK(a.ok == 3 && b.ok == 3 && a.other == 0 && b.other == 0, "two sessions on two threads: %d+%d ok, %d+%d errors", a.ok, b.ok, a.other, b.other);
    CHECK(a.diff <= 3 * tolerance() && b.diff <= 3 * tolerance(), "concurrent masks differ from .NET: %d, %d pixels", a.diff, b.diff);
    printf("two sessions, two threads: %d + %d segments, %d + %d pixels differ from .NET\n", a.ok, b.ok, a.diff, b.diff);
    uino_session_release(b.s);

    /* one session shared by two threads: calls run one at a time, every one succeeds with the right mask */
    Worker s1 = { a.s, 3, 0, 0, 0, 0 }, s2 = { a.s, 3, 0, 0, 0, 0 };
    run_two(&s1, &s2);
    CHECK(s1.ok == 3 && s2.ok == 3 && s1.other + s2.other == 0, "shared session: %d+%d ok, %d+%d errors", s1.ok, s2.ok, s1.other, s2.other);
    CHECK(s1.diff + s2.diff <= 6 * tolerance(), "shared-session masks differ from .NET: %d, %d pixels", s1.diff, s2.diff);
    printf("one session, two threads: %d + %d segments, %d + %d pixels differ from .NET\n", s1.ok, s2.ok, s1.diff, s2.diff);

    /* robustness beyond the contract: release while two threads are calling. The call in flight finishes,
     * release waits for it, later calls get UINO_INVALID_ARGUMENT; nothing crashes. */
    Worker h1 = { a.s, 0, 0, 0, 0, 0 }, h2 = { a.s, 0, 0, 0, 0, 0 };
    pthread_t ta, tb;
    hammer_stop = 0;
    pthread_create(&ta, NULL, hammer, &h1);
    pthread_create(&tb, NULL, hammer, &h2);
    double t0 = now_ms();
    while (now_ms() - t0 < 30000 && h1.ok + h2.ok < 2) {
        struct timespec ts = { 0, 5 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    uino_session_release(a.s);
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    hammer_stop = 1;
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    printf("release under load: %d ok before, %d refused as released, %d other\n", h1.ok + h2.ok, h1.released + h2.released, h1.other + h2.other);
    CHECK(h1.ok + h2.ok >= 2, "no call succeeded before the release");
    CHECK(h1.released + h2.released >= 1, "calls after the release were not refused");
    CHECK(h1.other + h2.other == 0, "calls around a release failed with another code");
}

int main(int argc, char** argv) {
    if (argc < 2) { printf("usage: %s <test-data-dir> [--no-threads]\n", argv[0]); return 2; }
    setvbuf(stdout, NULL, _IOLBF, 0);   /* progress shows up line by line under ctest and valgrind */
    snprintf(data_dir, sizeof data_dir, "%s", argv[1]);
    int threads = !(argc > 2 && strcmp(argv[2], "--no-threads") == 0);
    read_expected();
    ref_img = read_pnm(data("reference.ppm"));
    ref_mask = read_pnm(data("reference.mask.pgm"));
    query = read_pnm(data("query.ppm"));
    int only_default = argc > 2 && strcmp(argv[2], "--default-only") == 0;
    int no_resnet = argc > 2 && strcmp(argv[2], "--no-resnet-file") == 0;
    if (only_default || no_resnet) {
        if (only_default) test_embedded_model(); else test_no_resnet_file(argc - 3, argv + 3);
        free(ref_img.px); free(ref_mask.px); free(query.px); free(tiny.mask.px); free(embedded.mask.px);
        printf("%d passed, %d failed\n", checks - failures, failures);
        return failures == 0 ? 0 : 1;
    }

    /* cold start: the first call of the process loads the runtime, libtorch and the embedded model */
    double t0 = now_ms();
    UinoSessionOptions o = options_for(NULL);
    UinoSession* s = NULL;
    UinoStatus* st = uino_session_create(&o, &s);
    printf("cold start: first uino_session_create (embedded model) %.1f ms (%s)\n", now_ms() - t0, st ? uino_status_message(st) : "ok");
    CHECK(st == NULL && s != NULL, "cold create of the embedded model failed");
    uino_status_release(st);
    uino_session_release(s);

    test_basics();
    test_create_errors();
    test_session();
    test_embedded_model();
    if (threads) test_threads();

    free(ref_img.px); free(ref_mask.px); free(query.px); free(tiny.mask.px); free(embedded.mask.px);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
