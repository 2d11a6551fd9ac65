namespace Uino;

/// <summary>The UINO-FSS variants of the paper (Sec. V-C3, Table IV and VI).</summary>
public enum UinoVariant
{
    /// <summary>UINO-FSS: semantic visual prompt + Mamba dense prompt generator; decoder trained.</summary>
    Full,
    /// <summary>UINO-FSS-Comp: the dense prompt is the prototype cosine similarity (no MDPG); decoder trained.</summary>
    Comp,
    /// <summary>UINO-FSS-Comp*: Comp with SAM's decoder frozen; only the visual-prompt convolutions train (0.07M).</summary>
    CompStar,
    /// <summary>Ablation of Table VI: HSNet's center-pivot 4D convolution in place of the HGMBs' VSS blocks.</summary>
    Cp4d,
}
