#version 450
// Composes one window pixel: the camera frame (letterboxed), the segmentation mask as a tint with an outline,
// the capture tools (brush circle, box being dragged) and the HUD texture on top. Positions are window pixels.
layout(binding = 0) uniform sampler2D frameTex;   // BGRA frame, sampled as RGBA by the format
layout(binding = 1) uniform sampler2D maskTex;    // R8: 1 = object (linear filtering + 0.5 threshold = smooth edges)
layout(binding = 2) uniform sampler2D hudTex;     // HUD text panel with alpha

layout(push_constant) uniform Params {
    vec4 frameRect;   // x, y, w, h where the frame is drawn
    vec4 hudRect;     // x, y, w, h of the HUD (w = 0: no HUD)
    vec4 tint;        // rgb, a = opacity inside the mask (0 = no overlay)
    vec4 outline;     // rgb, a = outline width in window pixels
    vec4 cursor;      // x, y, radius; w > 0: draw the brush circle
    vec4 box;         // x0, y0, x1, y1 of a box being dragged; x1 < x0: none
    vec4 flags;       // x > 0: a frame is present
} pc;

layout(location = 0) out vec4 outColor;

float maskAt(vec2 uv) { return texture(maskTex, uv).r; }

void main()
{
    vec2 p = gl_FragCoord.xy;
    vec3 c = vec3(0.08, 0.08, 0.09);
    vec2 uv = (p - pc.frameRect.xy) / pc.frameRect.zw;
    if (pc.flags.x > 0.0 && all(greaterThanEqual(uv, vec2(0.0))) && all(lessThan(uv, vec2(1.0))))
    {
        c = texture(frameTex, uv).rgb;
        if (pc.tint.a > 0.0 && maskAt(uv) >= 0.5)
        {
            c = mix(c, pc.tint.rgb, pc.tint.a);
            // Outline: an inside pixel with an outside pixel within the outline width (8 directions).
            vec2 d = pc.outline.a / pc.frameRect.zw;
            float m = min(min(maskAt(uv + vec2(d.x, 0.0)), maskAt(uv - vec2(d.x, 0.0))),
                          min(maskAt(uv + vec2(0.0, d.y)), maskAt(uv - vec2(0.0, d.y))));
            m = min(m, min(min(maskAt(uv + d * 0.7071), maskAt(uv - d * 0.7071)),
                           min(maskAt(uv + vec2(d.x, -d.y) * 0.7071), maskAt(uv + vec2(-d.x, d.y) * 0.7071))));
            if (pc.outline.a > 0.0 && m < 0.5) c = pc.outline.rgb;
        }
    }
    if (pc.box.z >= pc.box.x)
    {
        vec2 lo = pc.box.xy, hi = pc.box.zw;
        bool inside = all(greaterThanEqual(p, lo - 1.0)) && all(lessThanEqual(p, hi + 1.0));
        bool interior = all(greaterThan(p, lo + 1.0)) && all(lessThan(p, hi - 1.0));
        if (inside && !interior) c = vec3(1.0, 1.0, 0.2);
    }
    if (pc.cursor.w > 0.0 && abs(distance(p, pc.cursor.xy) - pc.cursor.z) < 1.0) c = vec3(1.0) - c;
    vec2 hp = p - pc.hudRect.xy;
    if (pc.hudRect.z > 0.0 && all(greaterThanEqual(hp, vec2(0.0))) && all(lessThan(hp, pc.hudRect.zw)))
    {
        vec4 h = texture(hudTex, hp / pc.hudRect.zw);
        c = mix(c, h.rgb, h.a);
    }
    outColor = vec4(c, 1.0);
}
