/*
 * CI check that the live path through the C ABI does not grow: the frames of uino_soak_cabi (RGB8, BGR8, and a
 * cropped view with stride > row; the reference replaced every 250 frames), RSS sampled every 10 frames. After a
 * warm-up, the least-squares RSS slope of two consecutive windows; it fails when BOTH exceed the bound (a leak
 * grows in both windows; a one-off step of the allocator lands in one). The soak finding it guards against grew
 * 9-17 KB per frame (docs/c-abi.md, "Memory").
 *   uino_growth_cabi MODEL [WARMUP WINDOW MAX_KB_PER_FRAME]     (defaults 300 600 2.0; MODEL "-": the embedded one)
 * Ends with "growth: N passed, N failed" (one check).
 */
#include <malloc.h>
#include "uino.h"
#include "harness.h"

/* Least-squares slope of RSS (KB) over frames, samples [from, to). */
static double slope_kb(const ProcSample* s, int from, int to)
{
    double mx = 0, my = 0, sxx = 0, sxy = 0;
    int n = to - from;
    for (int i = from; i < to; i++) { mx += s[i].frames; my += s[i].rss_mb * 1024; }
    mx /= n; my /= n;
    for (int i = from; i < to; i++)
    {
        double dx = s[i].frames - mx;
        sxx += dx * dx;
        sxy += dx * (s[i].rss_mb * 1024 - my);
    }
    return sxx > 0 ? sxy / sxx : 0;
}

int main(int argc, char** argv)
{
    if (argc < 2) { fprintf(stderr, "usage: %s MODEL [WARMUP WINDOW MAX_KB_PER_FRAME]\n", argv[0]); return 2; }
    long warmup = argc > 2 ? atol(argv[2]) : 300, window = argc > 3 ? atol(argv[3]) : 600;
    double bound = argc > 4 ? atof(argv[4]) : 2.0;
    /* Measurement hygiene, not a fix: glibc's adaptive mmap threshold otherwise moves libtorch's large buffers
       between mmap and the heap, and the heap keeps what it once held: RSS steps of several MB that are no leak.
       A fixed threshold returns every large buffer on free; a leak (managed or native) still shows. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024);

    const char* model = strcmp(argv[1], "-") ? argv[1] : NULL;
    UinoSessionOptions opts = { sizeof(UinoSessionOptions), model, "cpu", 1 };
    UinoSession* session = NULL;
    UinoStatus* st = uino_session_create(&opts, &session);
    if (st) { printf("cannot create the session: %s\ngrowth: 0 passed, 1 failed\n", uino_status_message(st)); return 1; }
    int w = 128, h = 96;
    uint8_t *rgb = make_rgb(w, h), *mask = make_mask(w, h), *out = malloc((size_t)w * h);
    UinoImage ref = { rgb, w, h, w * 3, UINO_PIXEL_RGB8 };
    long total = warmup + 2 * window;
    int count = (int)(total / 10) + 1, n = 0;
    ProcSample* samples = calloc((size_t)count, sizeof *samples);
    double start = now_seconds();
    st = uino_session_add_reference(session, &ref, mask, w);
    for (long frame = 0; !st && frame <= total; frame++)
    {
        if (frame % 10 == 0) samples[n++] = proc_sample(now_seconds() - start, frame);
        if (frame == total) break;
        UinoImage view = ref;
        if (frame % 3 == 1) view.format = UINO_PIXEL_BGR8;
        if (frame % 3 == 2) view.width = w - 3;   /* a cropped view: stride larger than the row */
        float score;
        st = uino_session_segment(session, &view, out, w, &score);
        if (!st && (frame + 1) % 250 == 0)
            if (!(st = uino_session_clear_references(session))) st = uino_session_add_reference(session, &ref, mask, w);
    }
    if (st)
    {
        printf("a call failed: %s\ngrowth: 0 passed, 1 failed\n", uino_status_message(st));
        return 1;
    }
    uino_session_release(session);
    free(rgb); free(mask); free(out);

    int a = (int)(warmup / 10), b = (int)((warmup + window) / 10), c = n;   /* sample indices of the windows */
    double s1 = slope_kb(samples, a, b + 1), s2 = slope_kb(samples, b, c);
    int leak = s1 > bound && s2 > bound;
    printf("growth(cabi, model %s): %ld frames in %.1f s; RSS %.1f MB after %ld warm-up frames, %.1f MB after %ld more, "
           "%.1f MB after %ld more; slopes %.2f and %.2f KB/frame (bound %.1f): %s\n",
           model ? model : "embedded default", total, samples[n - 1].seconds, samples[a].rss_mb, warmup,
           samples[b].rss_mb, window, samples[c - 1].rss_mb, window, s1, s2, bound, leak ? "GROWS" : "flat");
    free(samples);
    printf("growth: %d passed, %d failed\n", !leak, leak);
    return leak;
}
