namespace Uino.Training.Data.RealPhotos;

/// <summary>The kinds of labelled object the real-photo sets hold; a class belongs to exactly one.</summary>
public enum RealPhotoGroup
{
    Butterfly,
    Pet,
    Horse,
    Person,
    Garment,
}

/// <summary>
/// The class ids of the real-photo dataset and the fixed held-out (novel) set.
/// Ids: butterfly species 1..10 (Leeds <c>class_id</c>); pet breeds 11 Abyssinian, 12 Bengal, 13 american_bulldog;
/// 20 horse; 30 person (the whole person of a Clothing Co-Parsing photo); garments 100 + the CCP label id
/// (e.g. 102 bag, 139 shoes). Garments never used as classes: null, hair and skin (body, not garment).
/// </summary>
public static class RealPhotoClasses
{
    public const int FirstPet = 11, Horse = 20, Person = 30, GarmentBase = 100;

    /// <summary>CCP label names that are never a class (background and body parts).</summary>
    public static IReadOnlySet<string> ExcludedGarments { get; } = new HashSet<string>(StringComparer.Ordinal) { "null", "hair", "skin" };

    /// <summary>Pet breed → class id.</summary>
    public static IReadOnlyDictionary<string, int> PetBreeds { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["Abyssinian"] = 11, ["Bengal"] = 12, ["american_bulldog"] = 13,
    };

    /// <summary>
    /// The held-out classes: Split.Val samples only these, Split.Train never shows them as a target, a pasted object
    /// or a distractor (their photos are left out; garment pixels of a held-out class are labelled ignore).
    /// 8 Pieris rapae (Cabbage White), 13 american_bulldog (the only dog breed), garments 102 bag, 120 hat,
    /// 133 purse (CCP labels bags as bag or purse loosely, so both are held out) and 139 shoes.
    /// </summary>
    public static IReadOnlyList<int> HeldOut { get; } = [8, 13, 102, 120, 133, 139];

    public static bool IsHeldOut(int classId) => HeldOut.Contains(classId);

    public static RealPhotoGroup GroupOf(int classId) => classId switch
    {
        >= 1 and <= 10 => RealPhotoGroup.Butterfly,
        >= FirstPet and <= 13 => RealPhotoGroup.Pet,
        Horse => RealPhotoGroup.Horse,
        Person => RealPhotoGroup.Person,
        >= GarmentBase => RealPhotoGroup.Garment,
        _ => throw new ArgumentOutOfRangeException(nameof(classId), classId, "not a real-photo class id"),
    };
}
