/* The GStreamer plugin "uino" (libgstuino.so): one element, uinosegment. */
#include <gst/gst.h>

#include "gstuinosegment.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  return GST_ELEMENT_REGISTER (uinosegment, plugin);
}

/* GStreamer only loads plugins whose licence is one of its known strings; the project has not chosen a public
 * licence yet, so "Proprietary" is the honest one of those. */
GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, uino, "Uino few-shot segmentation over libuino",
    plugin_init, UINO_PLUGIN_VERSION, "Proprietary", "Uino", "https://github.com/uino")
