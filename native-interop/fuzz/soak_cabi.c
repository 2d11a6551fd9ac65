/*
 * The live path through the C ABI for a set time: one session, one reference, frames without pause (synthetic
 * 256x256 RGB8, three strides and formats), the reference replaced every 500 frames. Samples RSS, descriptors and
 * threads every 10 s into a CSV and prints their growth after the warm-up (20% of the run, at least 2 minutes).
 *   uino_soak_cabi MINUTES CSV [MODEL]     (no MODEL: the embedded default model)
 */
#include "uino.h"
#include "harness.h"

#define MAX_SAMPLES 100000

int main(int argc, char** argv)
{
    if (argc < 3) { fprintf(stderr, "usage: %s MINUTES CSV [MODEL]\n", argv[0]); return 2; }
    double duration = atof(argv[1]) * 60;
    UinoSessionOptions opts = { sizeof(UinoSessionOptions), argc > 3 ? argv[3] : NULL, "cpu", 1 };
    UinoSession* session = NULL;
    UinoStatus* st = uino_session_create(&opts, &session);
    if (st) { fprintf(stderr, "cannot create the session: %s\n", uino_status_message(st)); return 1; }
    int w = 256, h = 256;
    uint8_t *rgb = make_rgb(w, h), *mask = make_mask(w, h), *out = malloc((size_t)w * h);
    UinoImage ref = { rgb, w, h, w * 3, UINO_PIXEL_RGB8 };
    if ((st = uino_session_add_reference(session, &ref, mask, w))) { fprintf(stderr, "%s\n", uino_status_message(st)); return 1; }
    FILE* csv = fopen(argv[2], "w");
    if (!csv) { perror(argv[2]); return 1; }
    fprintf(csv, "seconds,frames,rss_mb,fds,threads\n");
    static ProcSample samples[MAX_SAMPLES];
    int n = 0;
    double start = now_seconds(), next = 0;
    long frames = 0;
    for (double t = 0; t < duration; t = now_seconds() - start)
    {
        if (t >= next && n < MAX_SAMPLES)
        {
            samples[n] = proc_sample(t, frames);
            fprintf(csv, "%.0f,%ld,%.1f,%d,%d\n", t, frames, samples[n].rss_mb, samples[n].fds, samples[n].threads);
            fflush(csv);
            n++;
            next += 10;
        }
        UinoImage frame = ref;
        if (frames % 3 == 1) { frame.format = UINO_PIXEL_BGR8; }
        if (frames % 3 == 2) { frame.width = w - 3; }   /* a cropped view: stride larger than the row */
        float score;
        if ((st = uino_session_segment(session, &frame, out, w, &score))) { fprintf(stderr, "frame %ld: %s\n", frames, uino_status_message(st)); return 1; }
        frames++;
        if (frames % 500 == 0)
        {
            if ((st = uino_session_clear_references(session)) || (st = uino_session_add_reference(session, &ref, mask, w)))
            { fprintf(stderr, "%s\n", uino_status_message(st)); return 1; }
        }
    }
    samples[n] = proc_sample(now_seconds() - start, frames);
    fprintf(csv, "%.0f,%ld,%.1f,%d,%d\n", samples[n].seconds, frames, samples[n].rss_mb, samples[n].fds, samples[n].threads);
    n++;
    fclose(csv);
    uino_session_release(session);
    free(rgb); free(mask); free(out);

    double warm = duration * 0.2 < 120 ? 120 : duration * 0.2;
    if (warm > duration * 0.5) warm = duration * 0.5;
    int first = 0;
    while (first < n - 2 && samples[first].seconds < warm) first++;
    ProcSample a = samples[first], b = samples[n - 1];
    double peak = 0;
    for (int i = 0; i < n; i++) if (samples[i].rss_mb > peak) peak = samples[i].rss_mb;
    printf("soak(cabi, model %s): %ld frames in %.1f min (%.1f fps); after %.1f min warm-up: RSS %.1f -> %.1f MB (%+.1f MB), "
           "fds %d -> %d, threads %d -> %d, peak RSS %.1f MB\n",
           argc > 3 ? argv[3] : "embedded default", b.frames, b.seconds / 60, b.frames / (b.seconds > 1 ? b.seconds : 1),
           a.seconds / 60, a.rss_mb, b.rss_mb, b.rss_mb - a.rss_mb, a.fds, b.fds, a.threads, b.threads, peak);
    return 0;
}
