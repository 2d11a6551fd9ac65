namespace Uino.Training.Data.RealPhotos;

/// <summary>
/// Class-level pairs: a query and K supports that are different photos of one class (a butterfly species, a pet
/// breed, a horse, a person, a garment class), each as photographed, labelled by that class's mask.
/// </summary>
internal sealed class ClassEpisodes(RealPhotoPools pools, RealPhotoOptions options)
{
    private const int Attempts = 10;

    public Episode Sample(Random random, int classId, int shots, int index)
    {
        var photos = pools.ClassPhotos[classId];
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            int q = random.Next(photos.Length);
            var s = EpisodeSampling.PickSupports(random, photos.Length, shots, q, $"real class {classId}");
            var images = new List<LabelledImage>(shots + 1);
            bool ok = true;
            foreach (var (k, role) in new[] { (q, "query") }.Concat(s.Select((x, i) => (x, $"support{i}"))))
            {
                var photo = photos[k];
                var raster = PhotoLoader.Load(photo, classId, pools.IgnoredGarments);
                var name = new RealEpisodeName(RealEpisodeName.Class, role, index, [new RealSource("photo", photo.Id, classId)]);
                var image = EpisodeImages.AsIs(raster, options.CanvasSize, name.ToString());
                images.Add(image);
                if (!EpisodeImages.Usable(image.Mask)) { ok = false; break; }
            }
            if (ok) return new Episode(classId, images.Skip(1).ToArray(), images[0]);
            foreach (var i in images) i.Dispose();
        }
        throw new DatasetException($"real: class {classId} gave no usable episode in {Attempts} draws (masks empty or full)");
    }
}
