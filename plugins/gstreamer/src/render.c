#include "render.h"

#include <string.h>

/* The CLI's overlay colour (sdk/Uino.Cli SegmentCommand.Tint): magenta stands out against most scenes. */
static const guint8 TINT_R = 255, TINT_G = 0, TINT_B = 170, TINT_GREY = 255;
/* 0.45 opacity (the CLI's) in 1/256ths, so blending is integer arithmetic. */
static const guint TINT_ALPHA = 115;

static inline guint8
blend (guint8 under, guint8 over, guint alpha256)
{
  return (guint8) ((under * (256 - alpha256) + over * alpha256 + 128) >> 8);
}

/* An object pixel next to background (or the picture's border) is part of the outline. */
static gboolean
is_edge (const guint8 * mask, gint mask_stride, gint x, gint y, gint width, gint height)
{
  const guint8 *row = mask + (gsize) y * mask_stride;
  return x == 0 || y == 0 || x == width - 1 || y == height - 1 || row[x - 1] == 0 || row[x + 1] == 0
      || row[x - mask_stride] == 0 || row[x + mask_stride] == 0;
}

void
uino_render_overlay (const UinoPixels * in, UinoPixels * out, gint width, gint height, const guint8 * mask,
    gint mask_stride)
{
  const UinoPixelLayout *l = &in->layout;
  gboolean grey = l->r == l->g && l->g == l->b;
  for (gint y = 0; y < height; y++) {
    const guint8 *src = in->data + (gsize) y * in->stride;
    guint8 *dst = out->data + (gsize) y * out->stride;
    if (dst != src)
      memcpy (dst, src, (gsize) width * l->bytes_per_pixel);
    if (mask == NULL)
      continue;
    const guint8 *m = mask + (gsize) y * mask_stride;
    for (gint x = 0; x < width; x++) {
      if (m[x] == 0)
        continue;
      guint alpha = is_edge (mask, mask_stride, x, y, width, height) ? 256 : TINT_ALPHA;
      guint8 *p = dst + (gsize) x * l->bytes_per_pixel;
      if (grey) {
        p[l->r] = blend (p[l->r], TINT_GREY, alpha);
      } else {
        p[l->r] = blend (p[l->r], TINT_R, alpha);
        p[l->g] = blend (p[l->g], TINT_G, alpha);
        p[l->b] = blend (p[l->b], TINT_B, alpha);
      }
    }
  }
}

void
uino_render_alpha (const UinoPixels * in, UinoPixels * out, gint width, gint height, const guint8 * mask,
    gint mask_stride)
{
  const UinoPixelLayout *il = &in->layout, *ol = &out->layout;
  for (gint y = 0; y < height; y++) {
    const guint8 *src = in->data + (gsize) y * in->stride;
    guint8 *dst = out->data + (gsize) y * out->stride;
    const guint8 *m = mask ? mask + (gsize) y * mask_stride : NULL;
    for (gint x = 0; x < width; x++) {
      const guint8 *s = src + (gsize) x * il->bytes_per_pixel;
      guint8 *d = dst + (gsize) x * ol->bytes_per_pixel;
      d[ol->r] = s[il->r];
      d[ol->g] = s[il->g];
      d[ol->b] = s[il->b];
      d[ol->a] = m ? m[x] : 255;
    }
  }
}

void
uino_fill_rows (guint8 * data, gint stride, gint width, gint height, guint8 value)
{
  for (gint y = 0; y < height; y++)
    memset (data + (gsize) y * stride, value, (gsize) width);
}
