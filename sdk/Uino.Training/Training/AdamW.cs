using TorchSharp;
using TorchSharp.Modules;
using Uino.Modeling;
using static TorchSharp.torch;

namespace Uino.Training.Training;

/// <summary>
/// AdamW exactly as torch.optim.AdamW (decoupled weight decay, bias-corrected moments, amsgrad off), written out so
/// its whole state — the two moments per parameter and the step count — can be saved and restored bit-exactly.
/// </summary>
internal sealed class AdamW : IDisposable
{
    private readonly IReadOnlyList<(string Name, Parameter Param)> _params;
    private readonly Tensor[] _m, _v;

    public double LearningRate { get; set; }
    public double WeightDecay { get; }
    public double Beta1 { get; } = 0.9;
    public double Beta2 { get; } = 0.999;
    public double Eps { get; } = 1e-8;
    public long Step { get; private set; }

    public AdamW(IReadOnlyList<(string Name, Parameter Param)> parameters, double lr, double weightDecay)
    {
        _params = parameters;
        LearningRate = lr;
        WeightDecay = weightDecay;
        _m = parameters.Select(p => zeros_like(p.Param).requires_grad_(false)).ToArray();
        _v = parameters.Select(p => zeros_like(p.Param).requires_grad_(false)).ToArray();
    }

    public void ZeroGrad()
    {
        foreach (var (_, p) in _params) p.grad?.zero_();
    }

    public void StepOnce()
    {
        Step++;
        double bc1 = 1 - Math.Pow(Beta1, Step), bc2 = 1 - Math.Pow(Beta2, Step);
        using var _ = no_grad();
        // The step's constants as Scalars held until the loop ends, not made on the fly (see ScalarOps).
        using Scalar decay = (1 - LearningRate * WeightDecay).ToScalar(), beta1 = Beta1.ToScalar(), beta2 = Beta2.ToScalar(),
            oneMinusBeta1 = (1 - Beta1).ToScalar(), oneMinusBeta2 = (1 - Beta2).ToScalar(), eps = Eps.ToScalar(),
            stepSize = (-LearningRate / bc1).ToScalar();
        for (int i = 0; i < _params.Count; i++)
        {
            var p = _params[i].Param;
            var g = p.grad;
            if (g is null) continue;
            using var scope = NewDisposeScope();
            p.mul_(decay);
            _m[i].mul_(beta1).add_(g, alpha: oneMinusBeta1);
            _v[i].mul_(beta2).addcmul_(g, g, value: oneMinusBeta2);
            var denom = _v[i].sqrt().Over(Math.Sqrt(bc2)).add_(eps, Scalars.One);
            p.addcdiv_(_m[i], denom, value: stepSize);
        }
    }

    /// <summary>State tensors under <c>optim.m.NAME</c> / <c>optim.v.NAME</c>.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> State()
    {
        for (int i = 0; i < _params.Count; i++)
        {
            yield return new($"optim.m.{_params[i].Name}", _m[i]);
            yield return new($"optim.v.{_params[i].Name}", _v[i]);
        }
    }

    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, long step)
    {
        using var _ = no_grad();
        for (int i = 0; i < _params.Count; i++)
        {
            _m[i].copy_(tensors[$"optim.m.{_params[i].Name}"]);
            _v[i].copy_(tensors[$"optim.v.{_params[i].Name}"]);
        }
        Step = step;
    }

    public void Dispose()
    {
        foreach (var t in _m) t.Dispose();
        foreach (var t in _v) t.Dispose();
    }
}
