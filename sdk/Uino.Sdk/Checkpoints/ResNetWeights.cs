using System.Diagnostics.CodeAnalysis;
using Uino.Modeling.ResNet;
using static TorchSharp.torch;

namespace Uino.Checkpoints;

/// <summary>
/// Where the ImageNet ResNet-18 (<c>ResNet18.onnx</c> of NuGet package <see cref="PackageId"/> <see cref="PackageVersion"/>,
/// MIT) is: the path given; else the path in <see cref="EnvironmentVariable"/>; else, in libuino.so (NativeAOT), beside
/// the library and in <c>&lt;library folder&gt;/../share/uino</c> (where <c>cmake --install</c> of native-interop puts
/// it); else next to the Uino.Sdk assembly (the build copies it there from the package, which Uino.Sdk.csproj downloads
/// with <c>PackageDownload</c>: only files, none of ML.NET) or the application; else in the NuGet package folder
/// (<c>NUGET_PACKAGES</c>, or ~/.nuget/packages). A published .NET app has no copy (it is not published, being 63 MB):
/// it falls back on the package folder, the variable or a path.
/// </summary>
internal static class ResNetWeights
{
    public const string PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";
    public const string PackageVersion = "0.24.0";
    public const string FileName = "ResNet18.onnx";

    /// <summary>The file's place inside the package.</summary>
    public const string PathInPackage = "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx";

    /// <summary>The variable that names the file explicitly (it must then exist).</summary>
    public const string EnvironmentVariable = "UINO_RESNET18_ONNX";

    /// <summary>Where an installed native package keeps it, relative to the folder of libuino.so.</summary>
    public static readonly string InstalledBesideLibrary = Path.Combine("..", "share", "uino");

    /// <summary>The places looked in when no path is given, in order.</summary>
    [UnconditionalSuppressMessage("SingleFile", "IL3000:Avoid accessing Assembly file path when publishing as a single file",
        Justification = "An empty Assembly.Location (NativeAOT libuino.so, single-file apps) is skipped; libuino's own folder comes from NativeImage.")]
    public static IReadOnlyList<string> Candidates()
    {
        var places = new List<string>();
        var variable = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(variable)) places.Add(variable);
        // libuino.so (NativeAOT): beside the library, then the install layout's share/uino; for a symbolic link to
        // the library, also around the file it points to.
        if (NativeImage.LibraryPath is { } library)
        {
            var target = File.ResolveLinkTarget(library, returnFinalTarget: true)?.FullName;
            foreach (var file in new[] { library, target })
                if (Path.GetDirectoryName(file) is { Length: > 0 } folder)
                {
                    places.Add(Path.Combine(folder, FileName));
                    places.Add(Path.Combine(folder, InstalledBesideLibrary, FileName));
                }
        }
        var assemblyDir = Path.GetDirectoryName(typeof(ResNetWeights).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyDir)) places.Add(Path.Combine(assemblyDir, FileName));
        places.Add(Path.Combine(AppContext.BaseDirectory, FileName));
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrWhiteSpace(packages))
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (!string.IsNullOrEmpty(home)) packages = Path.Combine(home, ".nuget", "packages");
        }
        if (!string.IsNullOrWhiteSpace(packages))
            places.Add(Path.Combine(packages, PackageId.ToLowerInvariant(), PackageVersion, PathInPackage));
        return places.Select(Path.GetFullPath).Distinct().ToList();
    }

    /// <summary>
    /// The model file: <paramref name="path"/> when given (it must exist), else the file <see cref="EnvironmentVariable"/>
    /// names (it must exist), else the first candidate found.
    /// </summary>
    /// <exception cref="CheckpointException">Not found; the one-line message names the package and where it looked.</exception>
    public static string Locate(string? path = null)
    {
        if (!string.IsNullOrWhiteSpace(path))
            return File.Exists(path) ? Path.GetFullPath(path) : throw new CheckpointException($"ResNet-18 model '{path}' does not exist.");
        var variable = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(variable))
            return File.Exists(variable)
                ? Path.GetFullPath(variable)
                : throw new CheckpointException($"{EnvironmentVariable} is set to '{variable}', which does not exist: point it at {FileName} or unset it.");
        var candidates = Candidates();
        return candidates.FirstOrDefault(File.Exists)
               ?? throw new CheckpointException(
                   $"{FileName} not found: install it beside libuino.so (cmake --install puts it in share/uino), set {EnvironmentVariable} to it, " +
                   $"or restore NuGet package {PackageId} {PackageVersion} (Uino.Sdk's build downloads it); looked in {string.Join(", ", candidates)}.");
    }

    /// <summary>A <see cref="ResNet"/> (<see cref="ResNetConfig.Cntk18"/>) with the package's weights, loaded strictly.</summary>
    /// <param name="path">The .onnx file; null to <see cref="Locate"/> it.</param>
    /// <param name="device">Where the module lives (default CPU).</param>
    /// <exception cref="CheckpointException">Not found, or not this network.</exception>
    public static ResNet Load(string? path = null, Device? device = null)
    {
        var file = Locate(path);
        var tensors = OnnxResNet.Load(file, ResNetConfig.Cntk18);
        var model = new ResNet(ResNetConfig.Cntk18, device);
        try
        {
            StateDict.Load(model, tensors, file);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
