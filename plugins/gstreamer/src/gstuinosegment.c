/* uinosegment: GObject/GStreamer plumbing of the element. libuino calls are in uino_bridge.c, image decoding in
 * image_loader.c, pixel loops in render.c. */
#include "gstuinosegment.h"

#include "render.h"
#include "uino_bridge.h"

GST_DEBUG_CATEGORY_STATIC (gst_uino_segment_debug);
#define GST_CAT_DEFAULT gst_uino_segment_debug

/* The five layouts uino.h takes directly (UinoPixelFormat), so frames reach libuino without conversion. */
#define UINO_GST_FORMATS "{ RGB, BGR, RGBA, BGRA, GRAY8 }"

#define UINO_NO_REFERENCE_TEXT \
  "No reference set: frames pass through unsegmented until reference and reference-mask are set."

enum
{
  PROP_0,
  PROP_REFERENCE,
  PROP_REFERENCE_MASK,
  PROP_MODEL,
  PROP_DEVICE,
  PROP_MODE,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

struct _GstUinoSegment
{
  GstVideoFilter parent;

  /* Properties may be set from the application's thread while the streaming thread runs: guarded by lock. */
  GMutex lock;
  gchar *reference, *reference_mask, *model, *device;
  GstUinoSegmentMode mode;
  gboolean reference_changed;   /* a batch of property changes touched reference/reference-mask */

  /* Used only by start/stop and the streaming thread, which GstBaseTransform never runs at the same time. */
  UinoSession *session;
  gboolean has_reference;
  gboolean passthrough_told;    /* "no reference" was posted on the bus for the current stretch without one */
  guint8 *mask;                 /* scratch mask for overlay and alpha modes */
  gsize mask_size;
};

G_DEFINE_TYPE_WITH_CODE (GstUinoSegment, gst_uino_segment, GST_TYPE_VIDEO_FILTER,
    GST_DEBUG_CATEGORY_INIT (gst_uino_segment_debug, "uinosegment", 0, "Uino few-shot segmentation"));
GST_ELEMENT_REGISTER_DEFINE (uinosegment, "uinosegment", GST_RANK_NONE, GST_TYPE_UINO_SEGMENT);

#define GST_TYPE_UINO_SEGMENT_MODE (gst_uino_segment_mode_get_type ())
static GType
gst_uino_segment_mode_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    {GST_UINO_SEGMENT_MODE_OVERLAY, "The frame with the object tinted and outlined", "overlay"},
    {GST_UINO_SEGMENT_MODE_MASK, "An 8-bit mask frame (GRAY8: 255 object, 0 not)", "mask"},
    {GST_UINO_SEGMENT_MODE_ALPHA, "RGBA: the frame with the mask as alpha", "alpha"},
    {0, NULL, NULL}
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstUinoSegmentMode", values));
  return (GType) type;
}

/* ---------- properties ---------- */

/* The string property `prop_id` lives in, or NULL for the others. */
static gchar **
path_field (GstUinoSegment * self, guint prop_id)
{
  switch (prop_id) {
    case PROP_REFERENCE:
      return &self->reference;
    case PROP_REFERENCE_MASK:
      return &self->reference_mask;
    case PROP_MODEL:
      return &self->model;
    case PROP_DEVICE:
      return &self->device;
    default:
      return NULL;
  }
}

static void
gst_uino_segment_set_property (GObject * object, guint prop_id, const GValue * value, GParamSpec * pspec)
{
  GstUinoSegment *self = GST_UINO_SEGMENT (object);
  g_mutex_lock (&self->lock);
  gchar **field = path_field (self, prop_id);
  if (field) {
    const gchar *path = g_value_get_string (value);
    g_free (*field);
    *field = path && *path ? g_strdup (path) : NULL;    /* "" (e.g. from gst-launch) means unset */
  } else if (prop_id == PROP_MODE) {
    self->mode = g_value_get_enum (value);
  } else {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  g_mutex_unlock (&self->lock);
}

static void
gst_uino_segment_get_property (GObject * object, guint prop_id, GValue * value, GParamSpec * pspec)
{
  GstUinoSegment *self = GST_UINO_SEGMENT (object);
  g_mutex_lock (&self->lock);
  gchar **field = path_field (self, prop_id);
  if (field)
    g_value_set_string (value, *field);
  else if (prop_id == PROP_MODE)
    g_value_set_enum (value, self->mode);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  g_mutex_unlock (&self->lock);
}

/* GObject calls this once after a whole g_object_set() (notifications are frozen during it), so setting
 * reference and reference-mask in one call is applied as one new shot: the streaming thread never pairs the new
 * image with the old mask. */
static void
gst_uino_segment_dispatch_properties_changed (GObject * object, guint n_pspecs, GParamSpec ** pspecs)
{
  GstUinoSegment *self = GST_UINO_SEGMENT (object);
  for (guint i = 0; i < n_pspecs; i++) {
    if (pspecs[i] == properties[PROP_REFERENCE] || pspecs[i] == properties[PROP_REFERENCE_MASK]) {
      g_mutex_lock (&self->lock);
      self->reference_changed = TRUE;
      g_mutex_unlock (&self->lock);
      break;
    }
  }
  G_OBJECT_CLASS (gst_uino_segment_parent_class)->dispatch_properties_changed (object, n_pspecs, pspecs);
}

static GstUinoSegmentMode
current_mode (GstUinoSegment * self)
{
  g_mutex_lock (&self->lock);
  GstUinoSegmentMode mode = self->mode;
  g_mutex_unlock (&self->lock);
  return mode;
}

/* ---------- bus ---------- */

static void
post_error (GstUinoSegment * self, GError * error)
{
  gst_element_message_full (GST_ELEMENT (self), GST_MESSAGE_ERROR, error->domain, error->code,
      g_strdup (error->message), NULL, __FILE__, GST_FUNCTION, __LINE__);
}

static void
post_frame_message (GstUinoSegment * self, GstBuffer * frame, gboolean segmented, gfloat score,
    gdouble object_fraction)
{
  GstStructure *s = gst_structure_new ("uinosegment",
      "timestamp", G_TYPE_UINT64, GST_BUFFER_PTS (frame),
      "segmented", G_TYPE_BOOLEAN, segmented,
      "score", G_TYPE_DOUBLE, (gdouble) score,
      "object-fraction", G_TYPE_DOUBLE, object_fraction, NULL);
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
}

/* ---------- session lifecycle ---------- */

/* Brings the session's reference in line with the properties when they changed since the last frame. */
static gboolean
update_reference (GstUinoSegment * self)
{
  g_mutex_lock (&self->lock);
  gboolean changed = self->reference_changed;
  self->reference_changed = FALSE;
  gchar *image = changed ? g_strdup (self->reference) : NULL;
  gchar *mask = changed ? g_strdup (self->reference_mask) : NULL;
  g_mutex_unlock (&self->lock);
  if (!changed)
    return TRUE;

  GError *error = NULL;
  gboolean ok;
  if (image == NULL) {
    ok = uino_bridge_check (uino_session_clear_references (self->session), "Could not clear the reference", &error);
  } else if (mask == NULL) {
    g_set_error (&error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "reference is '%s' but reference-mask is not set", image);
    ok = FALSE;
  } else {
    ok = uino_bridge_set_reference (self->session, image, mask, &error);
    GST_INFO_OBJECT (self, "reference %s: '%s' + '%s'", ok ? "set" : "failed", image, mask);
  }
  self->has_reference = ok && image != NULL;
  if (self->has_reference)
    self->passthrough_told = FALSE;
  if (!ok) {
    post_error (self, error);
    g_error_free (error);
  }
  g_free (image);
  g_free (mask);
  return ok;
}

static gboolean
gst_uino_segment_start (GstBaseTransform * trans)
{
  GstUinoSegment *self = GST_UINO_SEGMENT (trans);
  g_mutex_lock (&self->lock);
  gchar *model = g_strdup (self->model), *device = g_strdup (self->device);
  self->reference_changed = TRUE;       /* a fresh session: take whatever reference is set now */
  g_mutex_unlock (&self->lock);

  GError *error = NULL;
  self->session = uino_bridge_open (model, device, &error);
  g_free (model);
  g_free (device);
  if (self->session == NULL) {
    post_error (self, error);
    g_error_free (error);
    return FALSE;
  }
  self->has_reference = FALSE;
  self->passthrough_told = FALSE;
  if (!update_reference (self)) {       /* a bad path fails the state change, before any frame */
    uino_session_release (self->session);
    self->session = NULL;
    return FALSE;
  }
  return TRUE;
}

static gboolean
gst_uino_segment_stop (GstBaseTransform * trans)
{
  GstUinoSegment *self = GST_UINO_SEGMENT (trans);
  uino_session_release (self->session);
  self->session = NULL;
  self->has_reference = FALSE;
  g_clear_pointer (&self->mask, g_free);
  self->mask_size = 0;
  return TRUE;
}

/* ---------- caps: overlay keeps the format; mask makes GRAY8, alpha RGBA, from any input format ---------- */

static GstCaps *
gst_uino_segment_transform_caps (GstBaseTransform * trans, GstPadDirection direction, GstCaps * caps,
    GstCaps * filter)
{
  GstUinoSegmentMode mode = current_mode (GST_UINO_SEGMENT (trans));
  GstCaps *result;
  if (mode == GST_UINO_SEGMENT_MODE_OVERLAY || gst_caps_is_any (caps)) {
    result = gst_caps_ref (caps);
  } else {
    GstCaps *all = gst_pad_get_pad_template_caps (GST_BASE_TRANSFORM_SINK_PAD (trans));
    const GValue *any_format = gst_structure_get_value (gst_caps_get_structure (all, 0), "format");
    result = gst_caps_new_empty ();
    for (guint i = 0; i < gst_caps_get_size (caps); i++) {
      GstStructure *s = gst_structure_copy (gst_caps_get_structure (caps, i));
      /* colorimetry and chroma-site describe the old format; let the new one take its defaults */
      gst_structure_remove_fields (s, "format", "colorimetry", "chroma-site", NULL);
      if (direction == GST_PAD_SINK)
        gst_structure_set (s, "format", G_TYPE_STRING, mode == GST_UINO_SEGMENT_MODE_MASK ? "GRAY8" : "RGBA", NULL);
      else
        gst_structure_set_value (s, "format", any_format);
      result = gst_caps_merge_structure_full (result, s, gst_caps_features_copy (gst_caps_get_features (caps, i)));
    }
    gst_caps_unref (all);
  }
  if (filter) {
    GstCaps *both = gst_caps_intersect_full (filter, result, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (result);
    result = both;
  }
  GST_DEBUG_OBJECT (trans, "%s %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT,
      direction == GST_PAD_SINK ? "sink" : "src", caps, result);
  return result;
}

/* ---------- frames ---------- */

static UinoPixels
pixels_of (GstVideoFrame * frame, gint32 * uino_format)
{
  UinoPixels p = { GST_VIDEO_FRAME_PLANE_DATA (frame, 0), GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0), {0} };
  static const struct { GstVideoFormat gst; gint32 uino; UinoPixelLayout layout; } table[] = {
    {GST_VIDEO_FORMAT_RGB, UINO_PIXEL_RGB8, {3, 0, 1, 2, -1}},
    {GST_VIDEO_FORMAT_BGR, UINO_PIXEL_BGR8, {3, 2, 1, 0, -1}},
    {GST_VIDEO_FORMAT_RGBA, UINO_PIXEL_RGBA8, {4, 0, 1, 2, 3}},
    {GST_VIDEO_FORMAT_BGRA, UINO_PIXEL_BGRA8, {4, 2, 1, 0, 3}},
    {GST_VIDEO_FORMAT_GRAY8, UINO_PIXEL_GRAY8, {1, 0, 0, 0, -1}},
  };
  for (gsize i = 0; i < G_N_ELEMENTS (table); i++) {
    if (table[i].gst == GST_VIDEO_FRAME_FORMAT (frame)) {
      p.layout = table[i].layout;
      if (uino_format)
        *uino_format = table[i].uino;
    }
  }
  return p;     /* caps negotiation admits only the formats of the table */
}

/* Writes the output frame; mask NULL = unsegmented (no reference yet). */
static void
render (GstUinoSegmentMode mode, const UinoPixels * in, UinoPixels * out, gint width, gint height,
    const guint8 * mask, gint mask_stride)
{
  switch (mode) {
    case GST_UINO_SEGMENT_MODE_OVERLAY:
      uino_render_overlay (in, out, width, height, mask, mask_stride);
      break;
    case GST_UINO_SEGMENT_MODE_MASK:
      if (mask == NULL)         /* nothing segmented; a segmented mask was written in place by libuino */
        uino_fill_rows (out->data, out->stride, width, height, 0);
      break;
    case GST_UINO_SEGMENT_MODE_ALPHA:
      uino_render_alpha (in, out, width, height, mask, mask_stride);
      break;
  }
}

static gdouble
object_fraction (const guint8 * mask, gint stride, gint width, gint height)
{
  guint64 object = 0;
  for (gint y = 0; y < height; y++)
    for (gint x = 0; x < width; x++)
      object += mask[(gsize) y * stride + x] != 0;
  return (gdouble) object / ((gdouble) width * height);
}

static GstFlowReturn
gst_uino_segment_transform_frame (GstVideoFilter * filter, GstVideoFrame * inframe, GstVideoFrame * outframe)
{
  GstUinoSegment *self = GST_UINO_SEGMENT (filter);
  if (!update_reference (self))
    return GST_FLOW_ERROR;

  GstUinoSegmentMode mode = current_mode (self);
  gint width = GST_VIDEO_FRAME_WIDTH (inframe), height = GST_VIDEO_FRAME_HEIGHT (inframe);
  gint32 uino_format = 0;
  UinoPixels in = pixels_of (inframe, &uino_format), out = pixels_of (outframe, NULL);

  if (!self->has_reference) {
    if (!self->passthrough_told) {
      /* gst-launch prints only the debug part of an info message, so the text goes in both. */
      GST_ELEMENT_INFO (self, RESOURCE, SETTINGS, ("%s", UINO_NO_REFERENCE_TEXT), ("%s", UINO_NO_REFERENCE_TEXT));
      self->passthrough_told = TRUE;
    }
    render (mode, &in, &out, width, height, NULL, 0);
    post_frame_message (self, inframe->buffer, FALSE, 0.0f, 0.0);
    return GST_FLOW_OK;
  }

  /* In mask mode libuino writes straight into the output frame. */
  guint8 *mask = out.data;
  gint mask_stride = out.stride;
  if (mode != GST_UINO_SEGMENT_MODE_MASK) {
    gsize size = (gsize) width * height;
    if (self->mask_size != size) {
      g_free (self->mask);
      self->mask = g_malloc (size);
      self->mask_size = size;
    }
    mask = self->mask;
    mask_stride = width;
  }
  UinoImage image = { in.data, width, height, in.stride, uino_format };
  gfloat score = 0.0f;
  GError *error = NULL;
  if (!uino_bridge_check (uino_session_segment (self->session, &image, mask, mask_stride, &score),
          "Could not segment the frame", &error)) {
    post_error (self, error);
    g_error_free (error);
    return GST_FLOW_ERROR;
  }
  render (mode, &in, &out, width, height, mask, mask_stride);
  post_frame_message (self, inframe->buffer, TRUE, score, object_fraction (mask, mask_stride, width, height));
  return GST_FLOW_OK;
}

/* ---------- GObject ---------- */

static void
gst_uino_segment_finalize (GObject * object)
{
  GstUinoSegment *self = GST_UINO_SEGMENT (object);
  g_free (self->reference);
  g_free (self->reference_mask);
  g_free (self->model);
  g_free (self->device);
  g_free (self->mask);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (gst_uino_segment_parent_class)->finalize (object);
}

static void
gst_uino_segment_init (GstUinoSegment * self)
{
  g_mutex_init (&self->lock);
  self->mode = GST_UINO_SEGMENT_MODE_OVERLAY;
}

static void
gst_uino_segment_class_init (GstUinoSegmentClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  gobject_class->set_property = gst_uino_segment_set_property;
  gobject_class->get_property = gst_uino_segment_get_property;
  gobject_class->dispatch_properties_changed = gst_uino_segment_dispatch_properties_changed;
  gobject_class->finalize = gst_uino_segment_finalize;

  GParamFlags playing = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING;
  GParamFlags ready = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
  properties[PROP_REFERENCE] = g_param_spec_string ("reference", "Reference image",
      "Image file showing the object (PNG, JPEG, ...). Until it is set frames pass through unsegmented. "
      "Changeable while playing: set it together with reference-mask in one g_object_set(); \"\" clears it",
      NULL, playing);
  properties[PROP_REFERENCE_MASK] = g_param_spec_string ("reference-mask", "Reference mask",
      "Mask image of the reference, same size (nonzero = object)", NULL, playing);
  properties[PROP_MODEL] = g_param_spec_string ("model", "Model",
      "Uino model file (.safetensors); unset: the model embedded in libuino", NULL, ready);
  properties[PROP_DEVICE] = g_param_spec_string ("device", "Device",
      "\"cpu\", \"cuda\" or \"cuda:N\"; unset: cpu", NULL, ready);
  properties[PROP_MODE] = g_param_spec_enum ("mode", "Mode", "What the element outputs",
      GST_TYPE_UINO_SEGMENT_MODE, GST_UINO_SEGMENT_MODE_OVERLAY, ready);
  g_object_class_install_properties (gobject_class, N_PROPS, properties);

  gst_element_class_set_static_metadata (element_class, "Uino few-shot segmentation", "Filter/Effect/Video",
      "Segments in every frame the object shown by one reference image and its mask (libuino); "
      "posts an element message \"uinosegment\" with the score per frame", "Uino");
  GstCaps *caps = gst_caps_from_string (GST_VIDEO_CAPS_MAKE (UINO_GST_FORMATS));
  gst_element_class_add_pad_template (element_class, gst_pad_template_new ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template (element_class, gst_pad_template_new ("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref (caps);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_uino_segment_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_uino_segment_stop);
  trans_class->transform_caps = GST_DEBUG_FUNCPTR (gst_uino_segment_transform_caps);
  filter_class->transform_frame = GST_DEBUG_FUNCPTR (gst_uino_segment_transform_frame);

  gst_type_mark_as_plugin_api (GST_TYPE_UINO_SEGMENT_MODE, 0);
}
