/* What uinosegment writes in each mode, as plain pixel loops (no GStreamer objects, no Uino calls). */
#ifndef UINO_RENDER_H
#define UINO_RENDER_H

#include <glib.h>

G_BEGIN_DECLS

/* Where the channels of one pixel are: byte offsets of R, G, B (all 0 for grey) and A (-1: none). */
typedef struct {
  gint bytes_per_pixel;
  gint r, g, b, a;
} UinoPixelLayout;

/* Pixels of one picture: rows `stride` bytes apart. */
typedef struct {
  guint8 *data;
  gint stride;
  UinoPixelLayout layout;
} UinoPixels;

/* out = in with the object (mask != 0) tinted magenta at 45% and outlined opaque, like `uino segment`'s
 * overlay PNG; grey frames are tinted towards white. mask NULL: out = in, unchanged. out may be in. */
void uino_render_overlay (const UinoPixels * in, UinoPixels * out, gint width, gint height,
    const guint8 * mask, gint mask_stride);

/* out (RGBA) = the colours of in with alpha = mask (0/255). mask NULL: alpha 255 (fully opaque). */
void uino_render_alpha (const UinoPixels * in, UinoPixels * out, gint width, gint height,
    const guint8 * mask, gint mask_stride);

/* Fills `width` bytes of each of `height` rows with value (the row padding is left alone). */
void uino_fill_rows (guint8 * data, gint stride, gint width, gint height, guint8 value);

G_END_DECLS

#endif
