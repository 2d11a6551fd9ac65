/* Image files are decoded by a private GStreamer pipeline (filesrc ! decodebin ! videoconvert ! appsink), so the
 * element needs no image library of its own and reads every format the installed GStreamer plugins can decode. */
#include "image_loader.h"

#include <gst/app/gstappsink.h>

/* A decode that takes longer than this is stuck (e.g. a FIFO given as path), not slow. */
#define UINO_LOAD_TIMEOUT (30 * GST_SECOND)

static gboolean
fail (GError ** error, GstResourceError code, const gchar * path, const gchar * reason)
{
  g_set_error (error, GST_RESOURCE_ERROR, code, "'%s': %s", path, reason);
  return FALSE;
}

/* Copies the first plane of `sample` into a tightly owned buffer. */
static gboolean
copy_sample (GstSample * sample, GstVideoFormat format, UinoLoadedImage * out, const gchar * path,
    GError ** error)
{
  GstVideoInfo info;
  GstVideoFrame frame;
  if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample)) || GST_VIDEO_INFO_FORMAT (&info) != format)
    return fail (error, GST_RESOURCE_ERROR_READ, path, "the decoder produced unexpected caps");
  if (!gst_video_frame_map (&frame, &info, gst_sample_get_buffer (sample), GST_MAP_READ))
    return fail (error, GST_RESOURCE_ERROR_READ, path, "could not map the decoded picture");

  gint row = GST_VIDEO_INFO_WIDTH (&info) * GST_VIDEO_FRAME_COMP_PSTRIDE (&frame, 0);
  out->width = GST_VIDEO_INFO_WIDTH (&info);
  out->height = GST_VIDEO_INFO_HEIGHT (&info);
  out->stride = row;
  out->pixels = g_malloc ((gsize) row * out->height);
  for (gint y = 0; y < out->height; y++)
    memcpy (out->pixels + (gsize) y * row,
        (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0),
        row);
  gst_video_frame_unmap (&frame);
  return TRUE;
}

/* Runs the pipeline to PAUSED (the first picture prerolls into the appsink) and takes that picture. */
static gboolean
preroll_picture (GstElement * pipeline, GstVideoFormat format, UinoLoadedImage * out, const gchar * path,
    GError ** error)
{
  gboolean ok = FALSE;
  GstBus *bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, UINO_LOAD_TIMEOUT, GST_MESSAGE_ERROR | GST_MESSAGE_ASYNC_DONE);
  if (msg == NULL) {
    fail (error, GST_RESOURCE_ERROR_READ, path, "decoding timed out");
  } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *decode_error = NULL;
    gst_message_parse_error (msg, &decode_error, NULL);
    fail (error, GST_RESOURCE_ERROR_READ, path, decode_error->message);
    g_error_free (decode_error);
  } else {
    GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
    GstSample *sample = gst_app_sink_pull_preroll (GST_APP_SINK (sink));
    if (sample == NULL)
      fail (error, GST_RESOURCE_ERROR_READ, path, "it contains no picture");
    else
      ok = copy_sample (sample, format, out, path, error);
    if (sample)
      gst_sample_unref (sample);
    gst_object_unref (sink);
  }
  if (msg)
    gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  return ok;
}

static gboolean
decode (const gchar * path, GstVideoFormat format, UinoLoadedImage * out, GError ** error)
{
  memset (out, 0, sizeof *out);
  /* Checked here because filesrc's own error ("Resource not found.") does not name the file. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return fail (error, GST_RESOURCE_ERROR_NOT_FOUND, path, "no such file");
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return fail (error, GST_RESOURCE_ERROR_OPEN_READ, path, "not a regular file");

  GError *parse_error = NULL;
  GstElement *pipeline = gst_parse_launch ("filesrc name=src ! decodebin ! videoconvert ! capsfilter name=caps "
      "! appsink name=sink sync=false max-buffers=1", &parse_error);
  if (pipeline == NULL || parse_error != NULL) {
    fail (error, GST_RESOURCE_ERROR_FAILED, path, parse_error ? parse_error->message : "no decoding pipeline");
    g_clear_error (&parse_error);
    if (pipeline)
      gst_object_unref (pipeline);
    return FALSE;
  }
  /* The path is set as a property, never spliced into the launch string (no quoting problems). */
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  GstElement *capsfilter = gst_bin_get_by_name (GST_BIN (pipeline), "caps");
  GstCaps *caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, gst_video_format_to_string (format),
      NULL);
  g_object_set (src, "location", path, NULL);
  g_object_set (capsfilter, "caps", caps, NULL);
  gst_caps_unref (caps);
  gst_object_unref (src);
  gst_object_unref (capsfilter);

  gboolean ok = preroll_picture (pipeline, format, out, path, error);
  gst_object_unref (pipeline);
  return ok;
}

gboolean
uino_load_image (const gchar * path, const gchar * role, GstVideoFormat format, UinoLoadedImage * out,
    GError ** error)
{
  if (decode (path, format, out, error))
    return TRUE;
  g_prefix_error (error, "Could not read the %s ", role);
  return FALSE;
}

void
uino_loaded_image_clear (UinoLoadedImage * image)
{
  g_clear_pointer (&image->pixels, g_free);
  image->width = image->height = image->stride = 0;
}
