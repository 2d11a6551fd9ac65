/*
 * uino.h — the C ABI of the Uino few-shot segmentation SDK (libuino.so). C99; needs only <stdint.h>.
 *
 * Show a session one or more reference images with a mask of the object, then segment that object in every
 * new frame. libuino.so is self-contained (NativeAOT: no .NET installation is needed); the TorchSharp/libtorch
 * shared libraries it loads sit beside it in the same directory.
 *
 * ERRORS. Every fallible function returns a UinoStatus*: NULL means success; anything else is an error owned
 * by the caller, to be read with uino_status_code / uino_status_message and freed with uino_status_release.
 * The library never aborts the process and never lets an exception unwind into the caller: every failure,
 * including invalid arguments, a missing or corrupt model file and internal errors, comes back as a status.
 * (Exception: memory the caller describes wrongly — a data pointer with fewer bytes than width/height/stride
 * say — cannot be detected and is undefined behaviour, as with memcpy.)
 *
 * OWNERSHIP OF POINTERS.
 *   - UinoStatus*: allocated by the library, owned by the caller, freed exactly once by uino_status_release.
 *   - uino_status_message(): owned by the status; valid until that status is released.
 *   - uino_version_string(): static; valid for the life of the process; never free it.
 *   - UinoSession*: created by uino_session_create, owned by the caller, freed by uino_session_release.
 *     It is an opaque handle, never dereferenced by the library: passing a released or made-up handle to any
 *     function returns UINO_INVALID_ARGUMENT (it does not crash), and releasing it twice is harmless.
 *   - UinoSessionOptions and its strings, UinoImage and its data, masks: borrowed for the duration of the call
 *     only. The library copies what it needs (references are encoded and kept inside the session) and keeps
 *     no pointer to caller memory after it returns.
 *   - mask_out, score_out: written by the library during the call, owned by the caller.
 *
 * THREADING (the rules of the .NET UinoSession).
 *   - The library may be used from any number of threads at once, each with its own session: sessions are
 *     independent (they share only the process-wide runtime and libtorch's intra-op thread pool). This is the
 *     way to process frames in parallel.
 *   - One session may also be shared by threads: its calls run one at a time. A call made while another call on
 *     the same session is in progress waits for it to finish, then runs; nothing fails for being concurrent.
 *   - Releasing a session while another thread is inside a call on it, or using a handle during or after its
 *     release, is a bug of the caller (as free() of memory another thread is using). This library does not
 *     crash when it happens (the handle stops being valid at once, release waits for the call in progress, and
 *     later calls return UINO_INVALID_ARGUMENT), but which of the racing calls still succeed is not specified.
 *   - Status objects are independent values and may be read or released from any thread.
 *   - num_threads sets libtorch's intra-op thread pool, which is process-wide: the last session created with
 *     num_threads > 0 decides it for all sessions.
 *   - The library never calls back into the caller.
 *
 * IMAGES. UinoImage describes caller pixels: width x height pixels of `format` (a UinoPixelFormat), rows
 * stride_bytes apart (stride_bytes >= width * bytes per pixel; padding allowed), 8 bits per channel,
 * top row first. The data pointer must have at least (height - 1) * stride_bytes + width * bpp bytes.
 * MASKS are 8-bit, one byte per pixel, the same width and height as the image they belong to, rows
 * mask_stride_bytes apart (>= width). Input masks: nonzero = object. Output masks: 255 = object, 0 = not.
 */
#ifndef UINO_H
#define UINO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define UINO_EXPORT __attribute__((visibility("default")))
#else
#define UINO_EXPORT
#endif

/* The version of this header's ABI; compare with uino_api_version() at run time. */
#define UINO_API_VERSION 1

typedef enum UinoCode {
    UINO_OK = 0,
    UINO_INVALID_ARGUMENT = 1, /* a NULL, released or unknown handle/pointer, a bad size, stride, format, option,
                                  a reference mask that is empty or covers the whole image, ... */
    UINO_NOT_FOUND = 2,        /* the model file does not exist (or no embedded model in this build) */
    UINO_INVALID_MODEL = 3,    /* the model file exists but is not a usable Uino model */
    UINO_NO_REFERENCE = 4,     /* segment before any reference was added (or after clear) */
    UINO_RUNTIME_ERROR = 5,    /* anything else: a failure inside the inference runtime, ... */
    UINO_OUT_OF_MEMORY = 6     /* an allocation failed (managed heap, libtorch's allocator, or the status itself) */
} UinoCode;

typedef enum UinoPixelFormat {
    UINO_PIXEL_RGB8 = 0,  /* 3 bytes: R, G, B */
    UINO_PIXEL_BGR8 = 1,  /* 3 bytes: B, G, R (OpenCV's default) */
    UINO_PIXEL_RGBA8 = 2, /* 4 bytes: R, G, B, A (alpha ignored) */
    UINO_PIXEL_BGRA8 = 3, /* 4 bytes: B, G, R, A (alpha ignored) */
    UINO_PIXEL_GRAY8 = 4  /* 1 byte: luminance */
} UinoPixelFormat;

typedef struct UinoStatus UinoStatus;   /* NULL means success; otherwise owned by the caller */
typedef struct UinoSession UinoSession;

typedef struct UinoImage {
    const uint8_t* data;     /* borrowed for the call */
    int32_t width;           /* > 0 */
    int32_t height;          /* > 0 */
    int32_t stride_bytes;    /* >= width * bytes per pixel */
    int32_t format;          /* a UinoPixelFormat */
} UinoImage;

typedef struct UinoSessionOptions {
    uint32_t struct_size;    /* sizeof(UinoSessionOptions): lets later versions grow the struct */
    const char* model_path;  /* UTF-8 path of a Uino model file (.safetensors); NULL: the default model compiled
                                into libuino.so (a small demo model trained on synthetic data; see README.md) */
    const char* device;      /* "cpu", "cuda", "cuda:N"; NULL: "cpu" */
    int32_t num_threads;     /* 0: the library's default; > 0: libtorch intra-op threads (process-wide) */
} UinoSessionOptions;

/* UINO_API_VERSION of the library actually loaded. */
UINO_EXPORT uint32_t    uino_api_version(void);
/* Human-readable version, e.g. "uino 0.1.0 (C API 1, ...)"; static, never free it. */
UINO_EXPORT const char* uino_version_string(void);

/* UINO_OK for NULL. */
UINO_EXPORT UinoCode    uino_status_code(const UinoStatus* status);
/* UTF-8, "" for NULL; valid until the status is released. */
UINO_EXPORT const char* uino_status_message(const UinoStatus* status);
/* Frees a status; NULL is fine. Release each status once. */
UINO_EXPORT void        uino_status_release(UinoStatus* status);

/* Loads the model and creates a session. On success *out_session is the new session; on failure it is set to
 * NULL (when out_session itself is not NULL). options->struct_size must be sizeof(UinoSessionOptions). */
UINO_EXPORT UinoStatus* uino_session_create(const UinoSessionOptions* options, UinoSession** out_session);

/* Adds one reference shot: an image and the object's mask (same width/height; nonzero = object).
 * Several references make a K-shot reference; the image is encoded once and kept by the session. */
UINO_EXPORT UinoStatus* uino_session_add_reference(UinoSession* session, const UinoImage* image,
                                                   const uint8_t* mask, int32_t mask_stride_bytes);

/* Forgets every reference. */
UINO_EXPORT UinoStatus* uino_session_clear_references(UinoSession* session);

/* Segments the reference's object in `frame`: writes frame->width x frame->height bytes (255 object, 0 not)
 * into mask_out, rows mask_out_stride_bytes apart (padding bytes are left untouched), and, when score_out is
 * not NULL, the model's confidence in [0, 1]. UINO_NO_REFERENCE before any reference. On error mask_out may
 * have been partly written. */
UINO_EXPORT UinoStatus* uino_session_segment(UinoSession* session, const UinoImage* frame, uint8_t* mask_out,
                                             int32_t mask_out_stride_bytes, float* score_out /* may be NULL */);

/* Frees the session and everything it holds; NULL, and a handle already released, are fine. */
UINO_EXPORT void        uino_session_release(UinoSession* session);

/* ---- additions to the version-1 contract ---- */

/* Diagnostics of the loaded network: the number of tensors in its state_dict and the sum of their absolute
 * values (either out pointer may be NULL). Lets hosts and tests check that the model loaded completely. */
UINO_EXPORT UinoStatus* uino_session_model_info(UinoSession* session, int64_t* out_state_tensors,
                                                double* out_abs_sum);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* UINO_H */
