using NUnit.Framework;
using Uino.Training.Data;
using Uino.Training.Data.Synthetic;
using Uino.Training.Evaluation;
using Uino.Training.Settings;

namespace Uino.Training.Tests.Evaluation;

/// <summary>
/// The committed synthetic-benchmark model (sdk/models/uino-synthetic.safetensors, the default until the real-photo
/// model replaced it) keeps the numbers its README reports, on its protocol: <c>uino eval --model
/// sdk/models/uino-synthetic.safetensors --dataset synthetic --split novel --shots 1 --episodes 300 --seed 0</c>. It is
/// the proof that the from-scratch pipeline still trains and evaluates as documented.
/// </summary>
[NonParallelizable]
public class SyntheticModelAccuracyTests
{
    // sdk/models/README.md, "Numbers". Evaluation is deterministic (fixed episode seed); the tolerance only absorbs
    // float differences between CPUs' kernels.
    private const double NovelMamba = 60.60, NovelPcs = 58.23, Tolerance = 0.3;

    /// <summary>Both rows of the README on the same episodes (<c>--dense-prompt both</c>): the model as trained, the
    /// ablation with the prototype-cosine prior, and the paired bootstrap interval of the Mamba prior's lead.</summary>
    [Test]
    public void NovelClasses_OneShot_KeepTheDocumentedMeanIoU_AndTheLeadOverPcs()
    {
        var r = DatasetEvaluation.Run(new EvalSettings
        {
            Model = RepoPaths.SyntheticModel, Dataset = "synthetic", Split = FewShotSplit.Val, Shots = 1, Episodes = 300, Seed = 0, DensePrompt = DensePrompt.Both, Threads = 2,
        });
        Assert.That(r.DensePrompt, Is.EqualTo("mamba"));
        Assert.That(r.Episodes, Is.EqualTo(300));
        Assert.That(r.ClassIoU.Keys, Is.EquivalentTo(SyntheticFewShotDataset.NovelClasses(0)), "fold 0's novel classes");
        Assert.That(r.MeanIoU, Is.EqualTo(NovelMamba).Within(Tolerance), "novel 1-shot mIoU of the synthetic model");
        // The target; the previous default (v6) had 59.17 on the same episodes.
        Assert.That(r.MeanIoU, Is.GreaterThanOrEqualTo(60.0));

        var versus = r.VersusPcs ?? throw new AssertionException("--dense-prompt both gave no PCS comparison");
        Assert.That(versus.Pcs.DensePrompt, Is.EqualTo("pcs"));
        Assert.That(versus.Pcs.Scores.Select(s => s.ClassId), Is.EqualTo(r.Scores.Select(s => s.ClassId)), "the same episodes");
        Assert.That(versus.Pcs.MeanIoU, Is.EqualTo(NovelPcs).Within(Tolerance), "novel 1-shot mIoU with the PCS prior");
        Assert.That(versus.Lead.Difference, Is.EqualTo(r.MeanIoU - versus.Pcs.MeanIoU).Within(1e-9));
        // The lead over PCS (v7: +2.37, interval [+0.98, +3.80]; v6: +1.38 [+0.29, +2.65]) must stay clear of 0.
        Assert.That(versus.Lead.Difference, Is.GreaterThan(2.0));
        Assert.That(versus.Lead.Lower95, Is.GreaterThan(0.5), "paired bootstrap 95% interval of the lead");
    }
}
