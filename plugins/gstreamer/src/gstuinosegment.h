/* uinosegment: a video filter that segments, in every frame, the object shown by one reference shot. */
#ifndef GST_UINO_SEGMENT_H
#define GST_UINO_SEGMENT_H

#include <gst/video/gstvideofilter.h>

#include "uino.h"

G_BEGIN_DECLS

typedef enum {
  GST_UINO_SEGMENT_MODE_OVERLAY,        /* the frame, object tinted and outlined (same format as the input) */
  GST_UINO_SEGMENT_MODE_MASK,           /* GRAY8: 255 object, 0 not */
  GST_UINO_SEGMENT_MODE_ALPHA           /* RGBA: the frame's colours, alpha = mask */
} GstUinoSegmentMode;

#define GST_TYPE_UINO_SEGMENT (gst_uino_segment_get_type ())
G_DECLARE_FINAL_TYPE (GstUinoSegment, gst_uino_segment, GST, UINO_SEGMENT, GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE (uinosegment);

G_END_DECLS

#endif
