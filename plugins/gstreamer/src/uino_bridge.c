#include "uino_bridge.h"

#include "image_loader.h"

gboolean
uino_bridge_check (UinoStatus * status, const gchar * what, GError ** error)
{
  if (status == NULL)
    return TRUE;
  UinoCode code = uino_status_code (status);
  GQuark domain = GST_LIBRARY_ERROR;
  gint gst_code = GST_LIBRARY_ERROR_FAILED;
  switch (code) {
    case UINO_NOT_FOUND:
      domain = GST_RESOURCE_ERROR;
      gst_code = GST_RESOURCE_ERROR_NOT_FOUND;
      break;
    case UINO_INVALID_MODEL:
      domain = GST_RESOURCE_ERROR;
      gst_code = GST_RESOURCE_ERROR_READ;
      break;
    case UINO_INVALID_ARGUMENT:
    case UINO_NO_REFERENCE:
      gst_code = GST_LIBRARY_ERROR_SETTINGS;
      break;
    default:
      break;
  }
  g_set_error (error, domain, gst_code, "%s: %s (uino code %d)", what, uino_status_message (status), (int) code);
  uino_status_release (status);
  return FALSE;
}

UinoSession *
uino_bridge_open (const gchar * model, const gchar * device, GError ** error)
{
  if (uino_api_version () != UINO_API_VERSION) {
    g_set_error (error, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_INIT,
        "libuino speaks C API %u; this element was built for %d (%s)", uino_api_version (), UINO_API_VERSION,
        uino_version_string ());
    return NULL;
  }
  UinoSessionOptions options = { sizeof options, model, device, 0 };
  UinoSession *session = NULL;
  gchar *what = g_strdup_printf ("Could not load the Uino model %s%s%s", model ? "'" : "",
      model ? model : "(embedded default)", model ? "'" : "");
  uino_bridge_check (uino_session_create (&options, &session), what, error);
  g_free (what);
  return session;
}

static gboolean
add_shot (UinoSession * session, const UinoLoadedImage * image, const UinoLoadedImage * mask,
    const gchar * image_path, const gchar * mask_path, GError ** error)
{
  if (image->width != mask->width || image->height != mask->height) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "The reference image '%s' is %dx%d but its mask '%s' is %dx%d", image_path, image->width, image->height,
        mask_path, mask->width, mask->height);
    return FALSE;
  }
  UinoImage view = { image->pixels, image->width, image->height, image->stride, UINO_PIXEL_RGB8 };
  gchar *what = g_strdup_printf ("Could not use '%s' as the reference", image_path);
  gboolean ok = uino_bridge_check (uino_session_clear_references (session), what, error)
      && uino_bridge_check (uino_session_add_reference (session, &view, mask->pixels, mask->stride), what, error);
  g_free (what);
  return ok;
}

gboolean
uino_bridge_set_reference (UinoSession * session, const gchar * image_path, const gchar * mask_path,
    GError ** error)
{
  UinoLoadedImage image, mask;
  if (!uino_load_image (image_path, "reference image", GST_VIDEO_FORMAT_RGB, &image, error))
    return FALSE;
  if (!uino_load_image (mask_path, "reference mask", GST_VIDEO_FORMAT_GRAY8, &mask, error)) {
    uino_loaded_image_clear (&image);
    return FALSE;
  }
  gboolean ok = add_shot (session, &image, &mask, image_path, mask_path, error);
  uino_loaded_image_clear (&image);
  uino_loaded_image_clear (&mask);
  return ok;
}
