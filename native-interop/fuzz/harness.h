/* Shared by the hardening drivers: synthetic frames and masks, /proc samples. */
#ifndef UINO_HARNESS_H
#define UINO_HARNESS_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* w x h RGB8 pattern; the caller frees it. */
static inline uint8_t* make_rgb(int w, int h)
{
    uint8_t* px = malloc((size_t)w * h * 3);
    for (size_t i = 0; i < (size_t)w * h * 3; i++) px[i] = (uint8_t)(i * 7 + i / 97);
    return px;
}

/* w x h mask, object = left half. */
static inline uint8_t* make_mask(int w, int h)
{
    uint8_t* m = malloc((size_t)w * h);
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) m[(size_t)y * w + x] = x < w / 2 ? 255 : 0;
    return m;
}

typedef struct ProcSample { double seconds; long frames; double rss_mb; int fds, threads; } ProcSample;

static inline double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static inline ProcSample proc_sample(double seconds, long frames)
{
    ProcSample s = { seconds, frames, 0, 0, 0 };
    char line[256];
    FILE* f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
    {
        if (!strncmp(line, "VmRSS:", 6)) s.rss_mb = atof(line + 6) / 1024.0;
        else if (!strncmp(line, "Threads:", 8)) s.threads = atoi(line + 8);
    }
    if (f) fclose(f);
    DIR* d = opendir("/proc/self/fd");
    for (struct dirent* e; d && (e = readdir(d));) if (e->d_name[0] != '.') s.fds++;
    if (d) closedir(d);
    if (s.fds > 0) s.fds--;   /* the descriptor opendir itself holds */
    return s;
}

#endif
