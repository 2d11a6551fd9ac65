/*
 * Replays libFuzzer inputs through the libFuzzer target's entry points without libFuzzer (any C compiler): each
 * FILE, or every file in each DIR, once, in name order. CI replays the committed corpus with it; it also reproduces
 * a saved crash input under gdb or valgrind.
 *   UINO_FUZZ_MODEL=MODEL uino_replay_cabi DIR|FILE...       ends with "cabi-replay: N passed, N failed"
 * A contract violation aborts (as under libFuzzer): the last "input" line names the file.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int* argc, char*** argv);
int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static long replayed;

static int replay_file(const char* path)
{
    FILE* f = fopen(path, "rb");
    if (!f) { perror(path); return 1; }
    uint8_t* data = malloc(1 << 16);
    size_t size = fread(data, 1, 1 << 16, f);
    fclose(f);
    printf("input %s (%zu bytes)\n", path, size);
    fflush(stdout);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    replayed++;
    return 0;
}

static int by_name(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

int main(int argc, char** argv)
{
    if (argc < 2) { fprintf(stderr, "usage: UINO_FUZZ_MODEL=MODEL %s DIR|FILE...\n", argv[0]); return 2; }
    LLVMFuzzerInitialize(&argc, &argv);
    int errors = 0;
    for (int a = 1; a < argc; a++)
    {
        struct stat st;
        if (stat(argv[a], &st) != 0) { perror(argv[a]); errors++; continue; }
        if (!S_ISDIR(st.st_mode)) { errors += replay_file(argv[a]); continue; }
        DIR* d = opendir(argv[a]);
        char** names = NULL;
        size_t n = 0;
        for (struct dirent* e; d && (e = readdir(d));)
        {
            if (e->d_name[0] == '.') continue;
            names = realloc(names, (n + 1) * sizeof *names);
            names[n] = malloc(strlen(argv[a]) + strlen(e->d_name) + 2);
            sprintf(names[n++], "%s/%s", argv[a], e->d_name);
        }
        if (d) closedir(d);
        qsort(names, n, sizeof *names, by_name);
        for (size_t i = 0; i < n; i++) { errors += replay_file(names[i]); free(names[i]); }
        free(names);
    }
    printf("cabi-replay: %ld inputs replayed, %d unreadable\n", replayed, errors);
    printf("cabi-replay: %ld passed, %d failed\n", replayed, errors);
    return errors ? 1 : 0;
}
