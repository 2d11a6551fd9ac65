namespace Uino.Training.Data.RealPhotos;

/// <summary>
/// Instance-level pairs by copy-paste, the "same object in another frame" of video segmentation: one masked object
/// is cut out and pasted onto a different background for the query and for every support, each time with its own
/// scale (object area in [<see cref="RealPhotoOptions.MinObjectArea"/>, max]), position, rotation, mirror, colour
/// jitter and blur, a 1–2 px feathered edge, 0..<see cref="RealPhotoOptions.MaxDistractors"/> distractors (another
/// instance of its class, or an object of another class, both labelled background) and sometimes an occluder that
/// removes the label it covers. With <see cref="RealPhotoOptions.KeepOriginalChance"/> the first support is the
/// object's own photo instead (a real boundary).
/// </summary>
internal sealed class InstanceEpisodes(RealPhotoPools pools, RealPhotoOptions options)
{
    private const int Attempts = 8;

    /// <summary>Forces parts of a composition (tests): the distractor count and whether each is of the target's class.</summary>
    internal sealed record Forcing(int? Distractors = null, bool? SameClass = null, bool? Occluder = null, bool? KeepOriginal = null);

    public Episode Sample(Random random, int shots, int index, Forcing? force = null)
    {
        var group = pools.ObjectGroups[random.Next(pools.ObjectGroups.Count)];
        var target = group[random.Next(group.Length)];
        bool keep = force?.KeepOriginal ?? random.NextDouble() < options.KeepOriginalChance;
        var source = PhotoLoader.Load(target, target.ClassId, pools.IgnoredGarments);
        var cut = CutOut(source);
        var used = new HashSet<string>(StringComparer.Ordinal) { target.Id };
        var images = new List<LabelledImage>(shots + 1);
        try
        {
            images.Add(Compose(random, target, cut, "query", index, used, force).Image);
            for (int k = 0; k < shots; k++)
            {
                string role = $"support{k}";
                LabelledImage? original = null;
                if (k == 0 && keep)
                {
                    var name = new RealEpisodeName(RealEpisodeName.Instance, role, index, [new RealSource("photo", target.Id, target.ClassId)]);
                    original = EpisodeImages.AsIs(source, options.CanvasSize, name.ToString());
                    if (!EpisodeImages.Usable(original.Mask)) { original.Dispose(); original = null; }
                }
                images.Add(original ?? Compose(random, target, cut, role, index, used, force).Image);
            }
            return new Episode(target.ClassId, images.Skip(1).ToArray(), images[0]);
        }
        catch
        {
            foreach (var i in images) i.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The object's bounding box (2 px margin) with its alpha and maps. An uncertain band (pets' trimap) is cut away
    /// rather than pasted: it holds the source's own background, which would be a halo around the pasted object.
    /// </summary>
    internal static Raster CutOut(Raster photo)
    {
        if (photo is { Uncertain: { } band, Alpha: { } a })
        {
            var tight = (byte[])a.Clone();
            for (int i = 0; i < tight.Length; i++) if (band[i] != 0) tight[i] = 0;
            photo = photo with { Alpha = tight, Uncertain = null };
        }
        var b = photo.AlphaBounds() ?? throw new DatasetException("real: an object mask is empty");
        int x0 = Math.Max(0, b.X - 2), y0 = Math.Max(0, b.Y - 2);
        int x1 = Math.Min(photo.Width, b.X + b.W + 2), y1 = Math.Min(photo.Height, b.Y + b.H + 2);
        return photo.Crop(x0, y0, x1 - x0, y1 - y0);
    }

    /// <summary>One pasted picture of the target; retried (with fresh draws) until its label is usable.</summary>
    internal (LabelledImage Image, IReadOnlyList<PlacedLayer> Layers) Compose(Random random, RealPhoto target, Raster cut, string role,
        int index, HashSet<string> used, Forcing? force = null)
    {
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            var background = PickBackground(random, used);
            var canvas = new Canvas(PrepareBackground(background, random));
            var sources = new List<RealSource> { new("target", target.Id, target.ClassId), new("background", background.Id, background.ClassId) };
            int distractors = force?.Distractors ?? random.Next(options.MaxDistractors + 1);
            for (int d = 0; d < distractors; d++)
            {
                bool same = force?.SameClass ?? random.NextDouble() < options.SameClassDistractorChance;
                var photo = same ? PickSameClass(random, target) : null;
                photo ??= PickOtherClass(random, target);
                if (photo is null) continue;
                var dcut = CutOut(PhotoLoader.Load(photo, photo.ClassId, pools.IgnoredGarments));
                var w = Place(canvas, dcut, random, 0.04, 0.25, null);
                canvas.Draw(w, LayerRole.Distractor, photo.Id, photo.ClassId);
                sources.Add(new RealSource("distractor", photo.Id, photo.ClassId));
            }
            var tw = Place(canvas, cut, random, options.MinObjectArea, options.MaxObjectArea, null);
            canvas.Draw(tw, LayerRole.Target, target.Id, target.ClassId);
            if (force?.Occluder ?? random.NextDouble() < options.OccluderChance)
            {
                var occluder = Occlude(canvas, random, target);
                if (occluder is not null) sources.Add(occluder);
            }
            var name = new RealEpisodeName(RealEpisodeName.Instance, role, index, sources).ToString();
            var image = canvas.ToLabelled(name);
            if (EpisodeImages.Usable(image.Mask))
            {
                used.Add(background.Id);
                return (image, canvas.Layers);
            }
            image.Dispose();
        }
        throw new DatasetException($"real: no usable composite of '{target.Id}' in {Attempts} draws");
    }

    /// <summary>
    /// Scales the cut-out to a random area fraction of the canvas in [min, max] (capped to fit), jitters its colours,
    /// and warps it with a random rotation and mirror to a random centre (or <paramref name="centre"/>).
    /// </summary>
    private Warped Place(Canvas canvas, Raster cut, Random random, double min, double max, (double X, double Y)? centre)
    {
        double f = min + (max - min) * random.NextDouble();
        double area = Math.Max(1, cut.AlphaCount());
        double s = Math.Sqrt(f * canvas.Width * canvas.Height / area);
        s = Math.Min(s, Math.Min(0.95 * canvas.Width / cut.Width, 0.95 * canvas.Height / cut.Height));
        s = Math.Min(s, 4.0);
        int w = Math.Max(4, (int)Math.Round(cut.Width * s)), h = Math.Max(4, (int)Math.Round(cut.Height * s));
        var scaled = Appearance.Jitter(cut, random).Resize(w, h);
        double angle = options.MaxRotationDegrees * (2 * random.NextDouble() - 1);
        bool flip = random.NextDouble() < 0.5;
        int feather = 1 + random.Next(2);
        double cx, cy;
        if (centre is { } c) (cx, cy) = c;
        else
        {
            cx = Between(random, 0.8 * w / 2, canvas.Width - 0.8 * w / 2);
            cy = Between(random, 0.8 * h / 2, canvas.Height - 0.8 * h / 2);
        }
        return canvas.Warp(scaled, angle, flip, cx, cy, feather);
    }

    private static double Between(Random random, double lo, double hi) =>
        lo >= hi ? (lo + hi) / 2 : lo + (hi - lo) * random.NextDouble();

    /// <summary>
    /// Pastes another object, or an elliptic patch of an unlabelled photo, centred on a pixel of the visible target,
    /// sized 15–50 % of the target's area; kept only when at least half of the target stays visible.
    /// </summary>
    private RealSource? Occlude(Canvas canvas, Random random, RealPhoto target)
    {
        int visible = canvas.Count(1);
        if (visible == 0) return null;
        int pick = random.Next(visible), seen = -1, at = 0;
        for (int i = 0; i < canvas.Label.Length; i++)
            if (canvas.Label[i] == 1 && ++seen == pick) { at = i; break; }
        double fraction = (0.15 + 0.35 * random.NextDouble()) * visible / (canvas.Width * canvas.Height);
        RealPhoto photo;
        Raster cut;
        if (random.NextDouble() < 0.5 && PickOtherClass(random, target) is { } other)
        {
            photo = other;
            cut = CutOut(PhotoLoader.Load(other, other.ClassId, pools.IgnoredGarments));
        }
        else
        {
            photo = pools.UnlabelledBackgrounds[random.Next(pools.UnlabelledBackgrounds.Count)];
            cut = EllipsePatch(PhotoLoader.Load(photo, null, pools.IgnoredGarments), random);
        }
        var w = Place(canvas, cut, random, fraction, fraction, (at % canvas.Width + 0.5, at / canvas.Width + 0.5));
        if (canvas.Overlap(w.Coverage, 1) > visible / 2) return null;
        canvas.Draw(w, LayerRole.Occluder, photo.Id, photo.ClassId);
        return new RealSource("occluder", photo.Id, photo.ClassId);
    }

    /// <summary>A random window (20–50 % of each side) of a photo with an inscribed elliptic alpha.</summary>
    private static Raster EllipsePatch(Raster photo, Random random)
    {
        int w = Math.Max(8, (int)(photo.Width * (0.2 + 0.3 * random.NextDouble())));
        int h = Math.Max(8, (int)(photo.Height * (0.2 + 0.3 * random.NextDouble())));
        w = Math.Min(w, photo.Width); h = Math.Min(h, photo.Height);
        var patch = photo.Crop(random.Next(photo.Width - w + 1), random.Next(photo.Height - h + 1), w, h);
        var alpha = new byte[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double u = (x + 0.5) / w * 2 - 1, v = (y + 0.5) / h * 2 - 1;
                alpha[y * w + x] = u * u + v * v <= 1 ? (byte)255 : (byte)0;
            }
        return patch with { Alpha = alpha };
    }

    private RealPhoto PickBackground(Random random, HashSet<string> used)
    {
        for (int tries = 0; ; tries++)
        {
            var pool = random.NextDouble() < options.UnlabelledBackgroundChance ? pools.UnlabelledBackgrounds : pools.LabelledBackgrounds;
            var photo = pool[random.Next(pool.Count)];
            if (!used.Contains(photo.Id) || tries > 100) return photo;
        }
    }

    /// <summary>A random crop (70–100 % of each side), resized to the canvas's long side, mirrored with chance 0.5.</summary>
    private Raster PrepareBackground(RealPhoto photo, Random random)
    {
        var r = PhotoLoader.Load(photo, null, pools.IgnoredGarments);
        int cw = Math.Max(1, (int)Math.Round(r.Width * (0.7 + 0.3 * random.NextDouble())));
        int ch = Math.Max(1, (int)Math.Round(r.Height * (0.7 + 0.3 * random.NextDouble())));
        r = r.Crop(random.Next(r.Width - cw + 1), random.Next(r.Height - ch + 1), cw, ch);
        double s = options.CanvasSize / (double)Math.Max(cw, ch);
        r = r.Resize(Math.Max(1, (int)Math.Round(cw * s)), Math.Max(1, (int)Math.Round(ch * s)));
        return random.NextDouble() < 0.5 ? r.FlipHorizontal() : r;
    }

    private RealPhoto? PickSameClass(Random random, RealPhoto target)
    {
        var same = pools.ObjectsByClass[target.ClassId];
        if (same.Length < 2) return null;
        while (true)
        {
            var p = same[random.Next(same.Length)];
            if (p.Id != target.Id) return p;
        }
    }

    private RealPhoto? PickOtherClass(Random random, RealPhoto target)
    {
        for (int tries = 0; tries < 20; tries++)
        {
            var group = pools.ObjectGroups[random.Next(pools.ObjectGroups.Count)];
            var p = group[random.Next(group.Length)];
            if (p.ClassId != target.ClassId) return p;
        }
        return null;
    }
}
