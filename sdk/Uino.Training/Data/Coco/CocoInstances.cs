using System.Text.Json;
using System.Text.Json.Serialization;

namespace Uino.Training.Data.Coco;

/// <summary>
/// An annotation's <c>segmentation</c>: polygons (<see cref="Polygons"/>), an uncompressed RLE (<see cref="Counts"/>,
/// iscrowd annotations) or a compressed RLE (<see cref="CountsString"/>), with its [h, w] <see cref="Size"/>.
/// </summary>
[JsonConverter(typeof(CocoSegmentationConverter))]
public sealed class CocoSegmentation
{
    public double[][]? Polygons { get; init; }
    public uint[]? Counts { get; init; }
    public string? CountsString { get; init; }
    public int[]? Size { get; init; }
}

public sealed class CocoImageInfo
{
    [JsonPropertyName("id")] public long Id { get; init; }
    [JsonPropertyName("file_name")] public string FileName { get; init; } = "";
    [JsonPropertyName("width")] public int Width { get; init; }
    [JsonPropertyName("height")] public int Height { get; init; }
}

public sealed class CocoAnnotation
{
    [JsonPropertyName("id")] public long Id { get; init; }
    [JsonPropertyName("image_id")] public long ImageId { get; init; }
    [JsonPropertyName("category_id")] public int CategoryId { get; init; }
    [JsonPropertyName("iscrowd")] public int IsCrowd { get; init; }
    [JsonPropertyName("segmentation")] public CocoSegmentation? Segmentation { get; init; }
}

public sealed class CocoCategory
{
    [JsonPropertyName("id")] public int Id { get; init; }
    [JsonPropertyName("name")] public string Name { get; init; } = "";
}

/// <summary>The parts of a COCO <c>instances_*.json</c> the loader needs (info, licenses, bbox, area are skipped).</summary>
public sealed class CocoInstances
{
    [JsonPropertyName("images")] public List<CocoImageInfo> Images { get; init; } = [];
    [JsonPropertyName("annotations")] public List<CocoAnnotation> Annotations { get; init; } = [];
    [JsonPropertyName("categories")] public List<CocoCategory> Categories { get; init; } = [];

    /// <summary>Streams and parses an instances file with System.Text.Json.</summary>
    public static CocoInstances Load(string path)
    {
        if (!File.Exists(path)) throw new DatasetException($"coco: missing annotation file '{path}'");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            return JsonSerializer.Deserialize<CocoInstances>(stream)
                ?? throw new DatasetException($"coco: annotation file '{path}' is empty");
        }
        catch (JsonException e)
        {
            throw new DatasetException($"coco: annotation file '{path}' is not valid COCO json: {e.Message}", e);
        }
    }
}

internal sealed class CocoSegmentationConverter : JsonConverter<CocoSegmentation>
{
    public override CocoSegmentation? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null: return null;
            case JsonTokenType.StartArray:
            {
                var polys = new List<double[]>();
                var current = new List<double>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("polygon list must hold arrays of numbers");
                    current.Clear();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) current.Add(reader.GetDouble());
                    polys.Add(current.ToArray());
                }
                return new CocoSegmentation { Polygons = polys.ToArray() };
            }
            case JsonTokenType.StartObject:
            {
                uint[]? counts = null; string? str = null; int[]? size = null;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = reader.GetString();
                    reader.Read();
                    switch (name)
                    {
                        case "counts" when reader.TokenType == JsonTokenType.String: str = reader.GetString(); break;
                        case "counts":
                            var list = new List<uint>();
                            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) list.Add(reader.GetUInt32());
                            counts = list.ToArray();
                            break;
                        case "size":
                            var s = new List<int>();
                            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) s.Add(reader.GetInt32());
                            size = s.ToArray();
                            break;
                        default: reader.Skip(); break;
                    }
                }
                if (size is not { Length: 2 }) throw new JsonException("RLE segmentation needs size [h, w]");
                if (counts is null && str is null) throw new JsonException("RLE segmentation needs counts");
                return new CocoSegmentation { Counts = counts, CountsString = str, Size = size };
            }
            default: throw new JsonException($"unexpected segmentation token {reader.TokenType}");
        }
    }

    public override void Write(Utf8JsonWriter writer, CocoSegmentation value, JsonSerializerOptions options) =>
        throw new NotSupportedException();
}
