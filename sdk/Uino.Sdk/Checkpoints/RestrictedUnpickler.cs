using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Uino.Checkpoints;

/// <summary>A class or function named by a pickle's GLOBAL opcode. It is only a name: nothing is imported or run.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>
/// A pickle virtual machine that builds plain data only. Python's own unpickler imports whatever module and calls
/// whatever function a pickle names, which is how a checkpoint can run code; this one checks every GLOBAL against an
/// allow-list before anything else happens and hands every call (REDUCE, NEWOBJ) to the caller's
/// <c>reduce</c>, which decides what each allowed name means. Values: <c>null</c> (None), bool, long or
/// <see cref="BigInteger"/>, double, string, byte[], object?[] (tuple), List&lt;object?&gt; (list),
/// OrderedDictionary&lt;object, object?&gt; (dict), <see cref="PickleGlobal"/>, and whatever the callbacks return.
/// </summary>
internal sealed class RestrictedUnpickler
{
    private readonly byte[] _data;
    private readonly string _path;
    private readonly Func<PickleGlobal, bool> _isAllowed;
    private readonly Func<PickleGlobal, object?[], object?> _reduce;
    private readonly Func<object?, object?> _persistentLoad;
    private readonly List<object?> _stack = new();
    private readonly List<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = new();
    private int _pos;

    public RestrictedUnpickler(byte[] data, string path, Func<PickleGlobal, bool> isAllowed,
                               Func<PickleGlobal, object?[], object?> reduce, Func<object?, object?> persistentLoad)
    {
        _data = data;
        _path = path;
        _isAllowed = isAllowed;
        _reduce = reduce;
        _persistentLoad = persistentLoad;
    }

    public object? Load()
    {
        while (true)
        {
            int at = _pos;
            byte op = ReadByte();
            switch (op)
            {
                case 0x80: ReadByte(); break;                                   // PROTO
                case 0x95: Take(8); break;                                      // FRAME: framing only, data follows inline
                case (byte)'.':                                                 // STOP
                    if (_stack.Count != 1 || _marks.Count != 0) throw Bad($"the pickle stops with {_stack.Count} values on its stack");
                    return _stack[0];
                case (byte)'(': _marks.Add(_stack.Count); break;                // MARK
                case (byte)')': Push(Array.Empty<object?>()); break;            // EMPTY_TUPLE
                case (byte)'t': Push(PopMark().ToArray()); break;               // TUPLE
                case 0x85: Push(new[] { Pop() }); break;                        // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; }           // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; } // TUPLE3
                case (byte)']': Push(new List<object?>()); break;               // EMPTY_LIST
                case (byte)'l': Push(PopMark()); break;                         // LIST
                case (byte)'a': { var v = Pop(); ListOnTop(at).Add(v); break; } // APPEND
                case (byte)'e': { var items = PopMark(); ListOnTop(at).AddRange(items); break; } // APPENDS
                case (byte)'}': Push(new OrderedDictionary<object, object?>()); break; // EMPTY_DICT
                case (byte)'d': { var d = new OrderedDictionary<object, object?>(); SetItems(d, PopMark(), at); Push(d); break; } // DICT
                case (byte)'s': { var v = Pop(); var k = Pop(); SetItems(DictOnTop(at), new List<object?> { k, v }, at); break; } // SETITEM
                case (byte)'u': { var items = PopMark(); SetItems(DictOnTop(at), items, at); break; } // SETITEMS
                case (byte)'N': Push(null); break;                              // NONE
                case 0x88: Push(true); break;                                   // NEWTRUE
                case 0x89: Push(false); break;                                  // NEWFALSE
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break;                  // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                case 0x8a: Push(ReadLong(ReadByte())); break;                   // LONG1
                case 0x8b: Push(ReadLong(ReadLength(4, at))); break;            // LONG4
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT
                case (byte)'X': Push(Utf8(Take(ReadLength(4, at)), at)); break; // BINUNICODE
                case 0x8c: Push(Utf8(Take(ReadByte()), at)); break;             // SHORT_BINUNICODE
                case 0x8d: Push(Utf8(Take(ReadLength(8, at)), at)); break;      // BINUNICODE8
                case (byte)'T': Push(Encoding.Latin1.GetString(Take(ReadLength(4, at)))); break; // BINSTRING (Python 2 str)
                case (byte)'U': Push(Encoding.Latin1.GetString(Take(ReadByte()))); break;        // SHORT_BINSTRING
                case (byte)'B': Push(Take(ReadLength(4, at)).ToArray()); break; // BINBYTES
                case (byte)'C': Push(Take(ReadByte()).ToArray()); break;        // SHORT_BINBYTES
                case 0x8e: Push(Take(ReadLength(8, at)).ToArray()); break;      // BINBYTES8
                case (byte)'q': _memo[ReadByte()] = Peek(at); break;            // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek(at); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(at); break;                // MEMOIZE
                case (byte)'h': Push(Get(ReadByte(), at)); break;               // BINGET
                case (byte)'j': Push(Get(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)), at)); break; // LONG_BINGET
                case (byte)'c': Push(Global(ReadLine(at), ReadLine(at))); break; // GLOBAL
                case 0x93: { var name = Pop(); var module = Pop(); Push(Global(AsString(module, at), AsString(name, at))); break; } // STACK_GLOBAL
                case (byte)'R': { var args = AsTuple(Pop(), at); var f = Pop(); Push(_reduce(AsGlobal(f, at), args)); break; } // REDUCE
                case 0x81: { var args = AsTuple(Pop(), at); var cls = Pop(); Push(_reduce(AsGlobal(cls, at), args)); break; } // NEWOBJ
                case (byte)'b': Build(at); break;                               // BUILD
                case (byte)'Q': Push(_persistentLoad(Pop())); break;            // BINPERSID
                case (byte)'0': Pop(); break;                                   // POP
                case (byte)'1': PopMark(); break;                               // POP_MARK
                case (byte)'2': Push(Peek(at)); break;                          // DUP
                default:
                    throw Bad($"opcode 0x{op:x2} at byte {at} is not supported (only the binary opcodes torch.save writes are)");
            }
        }
    }

    private PickleGlobal Global(string module, string name)
    {
        var g = new PickleGlobal(module, name);
        // The whole safety of this loader: a name that is not on the list is refused before anything uses it.
        if (!_isAllowed(g))
            throw new CheckpointException(
                $"Checkpoint '{_path}' was refused: its pickle references the global '{g}', which is not allowed " +
                "(only tensors and plain containers are loaded; no pickled code is run).");
        return g;
    }

    private void Build(int at)
    {
        var state = Pop();
        var target = Peek(at);
        // OrderedDict pickles its instance attributes (a state_dict's '_metadata') this way; they are not weights.
        if (target is OrderedDictionary<object, object?>) return;
        throw Bad($"BUILD at byte {at} sets the state of a {Describe(target)}, which is not supported (state: {Describe(state)})");
    }

    private void SetItems(OrderedDictionary<object, object?> dict, List<object?> items, int at)
    {
        if (items.Count % 2 != 0) throw Bad($"SETITEMS at byte {at} has an odd number of values");
        for (int i = 0; i < items.Count; i += 2)
        {
            var key = items[i] ?? throw Bad($"a dict key at byte {at} is None");
            if (key is not (string or long or bool or double or BigInteger))
                throw Bad($"a dict key at byte {at} is a {Describe(key)}; only strings and numbers are supported");
            dict[key] = items[i + 1];
        }
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw Bad($"the pickle closes a MARK it never opened (byte {_pos - 1})");
        int mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(mark, _stack.Count - mark);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private void Push(object? value) => _stack.Add(value);

    private object? Pop()
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor) throw Bad($"the pickle pops an empty stack at byte {_pos - 1}");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object? Peek(int at) => _stack.Count > 0 ? _stack[^1] : throw Bad($"the pickle reads an empty stack at byte {at}");

    private object? Get(long index, int at) =>
        _memo.TryGetValue(index, out var v) ? v : throw Bad($"the pickle reads memo slot {index} at byte {at}, which was never written");

    private List<object?> ListOnTop(int at) =>
        Peek(at) as List<object?> ?? throw Bad($"APPEND at byte {at} targets a {Describe(Peek(at))}, not a list");

    private OrderedDictionary<object, object?> DictOnTop(int at) =>
        Peek(at) as OrderedDictionary<object, object?> ?? throw Bad($"SETITEM at byte {at} targets a {Describe(Peek(at))}, not a dict");

    private byte ReadByte()
    {
        if (_pos >= _data.Length) throw Bad("the pickle ends before its STOP opcode (truncated?)");
        return _data[_pos++];
    }

    private ReadOnlySpan<byte> Take(long count)
    {
        if (count < 0 || count > _data.Length - _pos) throw Bad($"a value at byte {_pos} claims {count} bytes but the pickle ends first (truncated?)");
        var span = _data.AsSpan(_pos, (int)count);
        _pos += (int)count;
        return span;
    }

    private long ReadLength(int width, int at)
    {
        var bytes = Take(width);
        long n = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadInt64LittleEndian(bytes);
        if (n < 0 || n > _data.Length - _pos) throw Bad($"a value at byte {at} claims {n} bytes but the pickle ends first (truncated?)");
        return n;
    }

    private object ReadLong(long count)
    {
        var value = new BigInteger(Take(count), isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private string ReadLine(int at)
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) throw Bad($"GLOBAL at byte {at} is not terminated (truncated?)");
        var s = Encoding.UTF8.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }

    private string Utf8(ReadOnlySpan<byte> bytes, int at)
    {
        try { return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (DecoderFallbackException) { throw Bad($"the string at byte {at} is not valid UTF-8"); }
    }

    private string AsString(object? v, int at) => v as string ?? throw Bad($"STACK_GLOBAL at byte {at} names a {Describe(v)}, not a string");
    private object?[] AsTuple(object? v, int at) => v as object?[] ?? throw Bad($"a call at byte {at} has arguments of type {Describe(v)}, not a tuple");
    private PickleGlobal AsGlobal(object? v, int at) => v as PickleGlobal ?? throw Bad($"a call at byte {at} calls a {Describe(v)}, not a named global");

    internal static string Describe(object? v) => v switch
    {
        null => "None",
        PickleGlobal g => $"global '{g}'",
        object?[] => "tuple",
        List<object?> => "list",
        OrderedDictionary<object, object?> => "dict",
        _ => v.GetType().Name,
    };

    private CheckpointException Bad(string what) => new($"'{_path}' is not a valid PyTorch checkpoint: {what}.");
}
