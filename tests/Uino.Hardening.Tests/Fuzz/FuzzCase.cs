using CsCheck;

namespace Uino.Hardening.Fuzz;

/// <summary>
/// One generated input: which seed, the byte edits, and the structure-aware edits (numbers in a header or pickle,
/// zip entries) the target's mutator interprets. CsCheck generates, shrinks and prints it.
/// </summary>
internal sealed record FuzzCase(int Seed, Mutation[] Bytes, Mutation[] Structure)
{
    public static Gen<Mutation> MutationGen { get; } =
        Gen.Select(Gen.Enum<MutationKind>(), Gen.Int[0, int.MaxValue], Gen.Int, (k, p, v) => new Mutation(k, p, v));

    /// <summary>Cases over <paramref name="seedCount"/> seeds: 0–6 byte edits and 0–3 structure edits.</summary>
    public static Gen<FuzzCase> Over(int seedCount) =>
        Gen.Select(Gen.Int[0, seedCount - 1], MutationGen.Array[0, 6], MutationGen.Array[0, 3],
                   (s, b, st) => new FuzzCase(s, b, st));

    public override string ToString() =>
        $"seed {Seed}, bytes [{string.Join(", ", Bytes)}], structure [{string.Join(", ", Structure)}]";
}
