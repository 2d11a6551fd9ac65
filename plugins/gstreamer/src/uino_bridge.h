/* The element's use of libuino: open a session, give it a reference shot from image files, and turn every
 * UinoStatus into a GError the element can post on the bus. */
#ifndef UINO_BRIDGE_H
#define UINO_BRIDGE_H

#include <gst/gst.h>

#include "uino.h"

G_BEGIN_DECLS

/* Consumes `status`: TRUE when it is success (NULL); otherwise sets `error` to "<what>: <message> (uino code N)"
 * in a GStreamer error domain that fits the code, and returns FALSE. */
gboolean uino_bridge_check (UinoStatus * status, const gchar * what, GError ** error);

/* A session on `model` (NULL: the embedded default model) and `device` (NULL: "cpu"). Also checks that the
 * loaded library speaks this header's API version. */
UinoSession *uino_bridge_open (const gchar * model, const gchar * device, GError ** error);

/* Replaces the session's reference by one shot read from two image files (the mask: nonzero = object). */
gboolean uino_bridge_set_reference (UinoSession * session, const gchar * image_path, const gchar * mask_path,
    GError ** error);

G_END_DECLS

#endif
