/* Changes uinosegment's reference from another thread while the pipeline plays, and watches the bus:
 *   no reference -> frames pass unsegmented and an INFO says so; reference + mask set from a thread -> every
 *   following frame is segmented; the pair re-set 20 times from a thread mid-stream -> no error, frames keep
 *   coming; reference cleared -> unsegmented again (INFO again); a bad path -> an ERROR naming it, clean stop.
 * usage: live_reference <frame pattern, e.g. dir/%d.png (3 PNGs)> <model> <reference> <reference-mask>
 * Prints one line per phase; exit code 0 when every phase passed. */
#include <gst/gst.h>
#include <stdio.h>
#include <string.h>

#define PHASE_TIMEOUT (120 * GST_SECOND)

static GstElement *segmenter;
static const gchar *reference, *reference_mask;

typedef enum { WANT_UNSEGMENTED, WANT_SEGMENTED, WANT_ERROR } Want;

typedef struct {
  Want want;
  gint frames_needed;       /* frames of the wanted kind, counted after the first one */
  gboolean need_info;       /* also an INFO "No reference set" */
  gint frames, wrong_after_first, infos;
  gchar *error;
} Phase;

/* Pumps the bus until the phase is satisfied. Frames before the first wanted one may be of either kind (the change
 * lands between frames); after it every frame must be of the wanted kind. */
static gboolean
run_phase (GstBus * bus, Phase * p, const gchar * name)
{
  gint64 deadline = g_get_monotonic_time () + PHASE_TIMEOUT / GST_USECOND;
  while (g_get_monotonic_time () < deadline) {
    GstMessage *m = gst_bus_timed_pop (bus, 100 * GST_MSECOND);
    if (m == NULL)
      continue;
    const GstStructure *s = gst_message_get_structure (m);
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
      GError *e = NULL;
      gst_message_parse_error (m, &e, NULL);
      p->error = g_strdup (e->message);
      g_error_free (e);
    } else if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_INFO) {
      GError *e = NULL;
      gst_message_parse_info (m, &e, NULL);
      p->infos += strstr (e->message, "No reference set") != NULL;
      g_error_free (e);
    } else if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT && gst_structure_has_name (s, "uinosegment")) {
      gboolean segmented = FALSE;
      gdouble score = -1, fraction = -1;
      gst_structure_get (s, "segmented", G_TYPE_BOOLEAN, &segmented, "score", G_TYPE_DOUBLE, &score,
          "object-fraction", G_TYPE_DOUBLE, &fraction, NULL);
      gboolean wanted = segmented == (p->want == WANT_SEGMENTED)
          && (!segmented || (score >= 0 && score <= 1 && fraction > 0));
      if (wanted || p->frames > 0) {
        p->frames++;
        p->wrong_after_first += !wanted;
      }
    }
    gst_message_unref (m);
    if (p->error && p->want != WANT_ERROR) {
      printf ("FAIL %s: unexpected error: %s\n", name, p->error);
      return FALSE;
    }
    if (p->wrong_after_first) {
      printf ("FAIL %s: a frame of the other kind after the change had landed\n", name);
      return FALSE;
    }
    if ((p->want == WANT_ERROR && p->error)
        || (p->want != WANT_ERROR && p->frames > p->frames_needed && (!p->need_info || p->infos > 0))) {
      printf ("pass %s (%d frames%s%s)\n", name, p->frames, p->error ? ", error: " : "", p->error ? p->error : "");
      return TRUE;
    }
  }
  printf ("FAIL %s: timed out (%d frames, %d infos)\n", name, p->frames, p->infos);
  return FALSE;
}

/* ---- what the application's thread does while the streaming thread runs ---- */

static gpointer
set_pair (gpointer image)
{
  g_object_set (segmenter, "reference", (const gchar *) image, "reference-mask", reference_mask, NULL);
  return NULL;
}

static gpointer
hammer (G_GNUC_UNUSED gpointer unused)
{
  for (int i = 0; i < 20; i++) {
    set_pair ((gpointer) reference);
    g_usleep (5000);
  }
  return NULL;
}

static void
in_thread (GThreadFunc f, gconstpointer data)
{
  g_thread_join (g_thread_new ("application", f, (gpointer) data));
}

int
main (int argc, char **argv)
{
  if (argc != 5) {
    fprintf (stderr, "usage: live_reference <frame pattern> <model> <reference> <reference-mask>\n");
    return 2;
  }
  gst_init (NULL, NULL);
  reference = argv[3];
  reference_mask = argv[4];
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch ("multifilesrc name=src start-index=0 stop-index=2 loop=true "
      "caps=image/png,framerate=30/1 ! pngdec ! videoconvert ! video/x-raw,format=RGB "
      "! uinosegment name=seg mode=mask ! fakesink sync=false", &error);
  if (pipeline == NULL) {
    printf ("FAIL: %s\n", error->message);
    return 1;
  }
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  segmenter = gst_bin_get_by_name (GST_BIN (pipeline), "seg");
  g_object_set (src, "location", argv[1], NULL);
  g_object_set (segmenter, "model", argv[2], NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  Phase none = { WANT_UNSEGMENTED, 3, TRUE }, set = { WANT_SEGMENTED, 5 }, hammered = { WANT_SEGMENTED, 10 },
      cleared = { WANT_UNSEGMENTED, 3, TRUE }, bad = { WANT_ERROR };
  gboolean ok = run_phase (bus, &none, "no reference: unsegmented, INFO on the bus");
  if (ok) {
    in_thread (set_pair, reference);
    ok = run_phase (bus, &set, "reference set from another thread: segmented");
  }
  if (ok) {
    in_thread (hammer, NULL);
    ok = run_phase (bus, &hammered, "reference re-set 20 times from another thread: still segmented");
  }
  if (ok) {
    in_thread (set_pair, "");
    ok = run_phase (bus, &cleared, "reference cleared from another thread: unsegmented, INFO again");
  }
  if (ok) {
    in_thread (set_pair, "/nonexistent/reference.png");
    ok = run_phase (bus, &bad, "bad reference path while playing: ERROR on the bus")
        && strstr (bad.error, "/nonexistent/reference.png") != NULL;
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (src);
  gst_object_unref (segmenter);
  gst_object_unref (pipeline);
  printf ("%s\n", ok ? "live_reference: all phases passed" : "live_reference: FAILED");
  return ok ? 0 : 1;
}
