using NUnit.Framework;
using Uino.Training.Evaluation;
using Uino.Training.Settings;

namespace Uino.Training.Tests.Evaluation;

/// <summary>
/// The embedded default model keeps, on real photographs, the numbers sdk/models/README.md reports: the dev set
/// (DAVIS-2016, 50 one-shot episodes, ../shared/data/dev) run as a user runs it — <c>uino eval --episodes
/// ../shared/data/dev/davis2016-dev/episodes --dense-prompt both</c>, through the session API — with the Mamba dense
/// prompt ahead of the prototype-cosine prior. Evaluation is deterministic; the tolerance absorbs only float
/// differences between CPUs' kernels.
/// </summary>
[NonParallelizable]
public class DefaultModelAccuracyTests
{
    private const double DevMamba = 51.50, DevPcs = 44.87, Tolerance = 0.3;

    [Test]
    public void DevSet_OneShot_KeepsTheDocumentedMeanIoU_AndTheLeadOverPcs()
    {
        var r = EpisodeFolderEvaluator.Run(new EpisodeFolderSettings
        {
            Folder = RepoPaths.Need(RepoPaths.DevEpisodes), DensePrompt = DensePrompt.Both, Threads = 2,
        });
        Assert.That(r.Episodes, Is.EqualTo(50));
        Assert.That(r.DensePrompt, Is.EqualTo("mamba"), "the default is the full variant");
        Assert.That(r.MeanIoU, Is.EqualTo(DevMamba).Within(Tolerance), "dev-set mean IoU of the embedded default");
        var versus = r.VersusPcs ?? throw new AssertionException("--dense-prompt both gave no PCS comparison");
        Assert.That(versus.Pcs.MeanIoU, Is.EqualTo(DevPcs).Within(Tolerance), "the same episodes with the PCS prior");
        Assert.That(versus.Lead.Lower95, Is.GreaterThan(0.0), "paired bootstrap 95% interval of the Mamba prompt's lead");
    }
}
