using System.Reflection;
using System.Reflection.Emit;
using NUnit.Framework;
using TorchSharp;

namespace Uino.Tests.Shared;

/// <summary>
/// Reads the IL of an assembly and names every call that hands native code a <see cref="Scalar"/> nobody keeps
/// referenced: a C# number converted to a Scalar on the spot, or a TorchSharp method that makes one inside (found by
/// reading TorchSharp's own IL, transitively: <c>Tensor + Tensor</c> → <c>add(Tensor)</c> → <c>add(t, alpha: 1)</c>).
/// Such a Scalar can be finalised by a collection on another thread while the op reads it (the hardening suite's
/// <c>StressTests.FramesBesideAnAllocatingThreadEqualTheQuietOnes</c>). Allowed: static initialisers (rooted for the
/// process), <c>Scalars</c> / <c>ScalarOps</c>, which hold what they make until the op returns, and a Scalar made and
/// stored at once in a local the method disposes (the <c>using var s = x.ToScalar();</c> pattern). Linked into each test project that
/// references an assembly with tensor code (Uino.Sdk and Uino.Training, the CLI, the C ABI, the viewer).
/// </summary>
internal static class TemporaryScalarScan
{
    private static readonly string[] Allowed = ["Uino.Modeling.Scalars", "Uino.Modeling.ScalarOps"];

    private static readonly Lazy<HashSet<MethodBase>> Hazards = new(ScalarMakingTorchSharpMethods);

    /// <summary>Asserts that <paramref name="assembly"/> has no such call, listing each one it finds.</summary>
    public static void AssertNoTemporaryScalars(Assembly assembly)
    {
        var types = assembly.GetTypes().Where(t => !Allowed.Contains(t.FullName)).ToList();
        Assert.That(types.SelectMany(Methods), Is.Not.Empty, $"no method of {assembly.GetName().Name} to scan");
        var sites = Sites(types);
        Assert.That(sites, Is.Empty, $"{assembly.GetName().Name}: {sites.Count} call(s) hand native code a temporary Scalar; use ScalarOps / Scalars:\n" + string.Join("\n", sites));
    }

    /// <summary>Each call in <paramref name="types"/>' methods (static initialisers aside) that hands native code a temporary Scalar.</summary>
    public static IReadOnlyList<string> Sites(IEnumerable<Type> types)
    {
        var hazards = Hazards.Value;
        Assert.That(hazards.Select(m => m.Name), Does.Contain("op_Addition").And.Contain("add").And.Contain("softplus").And.Contain("ToDouble"),
            "the scan of TorchSharp finds the known cases (else it is broken, and this test could not fail)");
        Assert.That(BuildsHazardousModule(typeof(TorchSharp.Modules.LeakyReLU).GetConstructors(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance)[0], hazards), Is.True);
        var sites = new List<string>();
        foreach (var type in types)
            foreach (var method in Methods(type).Where(m => m.Name != ".cctor"))
                foreach (var (callee, held) in Callees(method))
                    if ((MakesScalar(callee) && !held) || hazards.Contains(callee) || BuildsHazardousModule(callee, hazards))
                        sites.Add($"{type.FullName}.{method.Name} calls {callee.DeclaringType!.Name}.{callee.Name}({string.Join(", ", callee.GetParameters().Select(p => p.ParameterType.Name))})");
        return sites.Distinct().ToList();
    }

    /// <summary>TorchSharp methods that make a Scalar themselves or call one that does.</summary>
    private static HashSet<MethodBase> ScalarMakingTorchSharpMethods()
    {
        var all = typeof(torch).Assembly.GetTypes().SelectMany(Methods).ToList();
        var callees = all.ToDictionary(m => m, m => Callees(m).Select(c => c.Callee).Where(c => c.Module == m.Module).ToList());
        var hazards = all.Where(m => callees[m].Any(MakesScalar)).ToHashSet();
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var m in all)
                if (!hazards.Contains(m) && callees[m].Any(hazards.Contains)) grew = hazards.Add(m) || grew;
        }
        return hazards;
    }

    /// <summary>
    /// A TorchSharp module whose forward makes Scalars (e.g. <c>nn.LeakyReLU</c>, <c>nn.BatchNorm2d</c>): calls go
    /// through the virtual <c>Module.call</c>, so they are caught where the module is constructed.
    /// </summary>
    private static bool BuildsHazardousModule(MethodBase callee, HashSet<MethodBase> hazards) =>
        callee is ConstructorInfo { DeclaringType: { } type } && type.Assembly == typeof(torch).Assembly &&
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Any(m => m.Name == "forward" && hazards.Contains(m));

    /// <summary>
    /// A TorchSharp method that returns a new Scalar: a number's <c>ToScalar</c> / implicit conversion, and also
    /// <c>Tensor.ToScalar()</c>, which TorchSharp's own <c>tensor.ToSingle()</c> / <c>ToDouble()</c> drop at once
    /// while the native conversion reads them.
    /// </summary>
    private static bool MakesScalar(MethodBase m) =>
        m is MethodInfo { ReturnType: var type } && type == typeof(Scalar) && m.Module == typeof(Scalar).Module;

    private static IEnumerable<MethodBase> Methods(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        return type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all));
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>
    /// Methods named by call, callvirt, newobj, ldftn and ldvirtftn in <paramref name="method"/>'s IL (decoded opcode
    /// by opcode), and whether the result is held until the method disposes it: stored in a local at once that is
    /// later loaded for a <c>Dispose</c> call (<c>using var s = x.ToScalar();</c>). A local that is never disposed
    /// does not count: the JIT ends its life at its last use, before the native op that reads it returns.
    /// </summary>
    private static IEnumerable<(MethodBase Callee, bool HeldUntilDisposed)> Callees(MethodBase method)
    {
        var code = Decode(method);
        var disposed = new HashSet<int>();
        for (int k = 0; k + 1 < code.Count; k++)
            if (LoadedLocal(code[k]) is int local && code[k + 1].Callee?.Name == "Dispose") disposed.Add(local);
        for (int k = 0; k < code.Count; k++)
            if (code[k].Callee is { } callee)
                yield return (callee, k + 1 < code.Count && StoredLocal(code[k + 1]) is int local && disposed.Contains(local));
    }

    private readonly record struct Instruction(OpCode Op, int Operand, MethodBase? Callee);

    private static int? LoadedLocal(Instruction i) => i.Op.Value switch
    {
        >= 0x06 and <= 0x09 => i.Op.Value - 0x06, // ldloc.0-3
        0x11 or unchecked((short)0xFE0C) => i.Operand, // ldloc.s, ldloc
        _ => null,
    };

    private static int? StoredLocal(Instruction i) => i.Op.Value switch
    {
        >= 0x0A and <= 0x0D => i.Op.Value - 0x0A, // stloc.0-3
        0x13 or unchecked((short)0xFE0E) => i.Operand, // stloc.s, stloc
        _ => null,
    };

    /// <summary><paramref name="method"/>'s IL as instructions, with local indices and resolved callees.</summary>
    private static List<Instruction> Decode(MethodBase method)
    {
        var code = new List<Instruction>();
        byte[] il;
        try { il = method.GetMethodBody()?.GetILAsByteArray() ?? []; }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or BadImageFormatException) { return code; }
        var genericType = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var genericMethod = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            var op = OpCodesByValue[value];
            i += op.Size;
            int operand = op.OperandType switch
            {
                OperandType.ShortInlineVar => il[i],
                OperandType.InlineVar => BitConverter.ToUInt16(il, i),
                _ => 0,
            };
            MethodBase? callee = null;
            if (op.OperandType == OperandType.InlineMethod)
            {
                try { callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, i), genericType, genericMethod); }
                catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or FileNotFoundException) { }
            }
            code.Add(new Instruction(op, operand, callee));
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
        }
        return code;
    }
}
