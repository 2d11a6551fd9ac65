namespace Uino.Training.Data;

/// <summary>Which side of a fold's class split a dataset view serves.</summary>
public enum FewShotSplit
{
    /// <summary>The base classes (training).</summary>
    Train,
    /// <summary>The novel classes (evaluation); disjoint from the base classes of the same fold.</summary>
    Val,
}

/// <summary>
/// A few-shot segmentation dataset restricted to one fold and split: the classes it may sample, the images of
/// each class, and episodes. Sampling is deterministic for a given <see cref="Random"/> state.
/// </summary>
public interface IFewShotDataset
{
    /// <summary>Short name: pascal, coco, fss1000, synthetic.</summary>
    string Name { get; }
    int Fold { get; }
    FewShotSplit Split { get; }
    /// <summary>Class ids of this fold and split (the dataset's own numbering), ascending.</summary>
    IReadOnlyList<int> Classes { get; }
    /// <summary>How many images hold each class of <see cref="Classes"/>.</summary>
    IReadOnlyDictionary<int, int> ImagesPerClass { get; }
    /// <summary>
    /// An episode: a class, then a query and <paramref name="shots"/> distinct support images of that class.
    /// <paramref name="index"/> lets evaluation enumerate a fixed sequence (the standard protocol); training may pass any.
    /// </summary>
    Episode Sample(Random random, int shots, int index);
}
