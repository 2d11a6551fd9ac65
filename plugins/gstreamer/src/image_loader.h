/* Reads an image file (PNG, JPEG, ... whatever GStreamer's decodebin can decode) into memory, for the
 * reference shot and its mask. */
#ifndef UINO_IMAGE_LOADER_H
#define UINO_IMAGE_LOADER_H

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

typedef struct {
  guint8 *pixels;     /* g_malloc'ed; rows `stride` bytes apart */
  gint width, height, stride;
} UinoLoadedImage;

/* Decodes the first picture of `path` converted to `format` (RGB or GRAY8). On failure returns FALSE and sets
 * `error` (GST_RESOURCE_ERROR domain) to "Could not read the <role> '<path>': <reason>". */
gboolean uino_load_image (const gchar * path, const gchar * role, GstVideoFormat format, UinoLoadedImage * out,
    GError ** error);

void uino_loaded_image_clear (UinoLoadedImage * image);

G_END_DECLS

#endif
