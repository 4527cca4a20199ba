using System.Globalization;
using CompanyOs.Llm.Configuration;
using YamlDotNet.RepresentationModel;

namespace CompanyOs.Agents.Definitions;

/// <summary>Typed access to a YAML mapping with errors that name the file, the dotted key and the line.</summary>
internal sealed class YamlMapReader(YamlMappingNode node, string file, string prefix)
{
    public IEnumerable<string> Keys =>
        node.Children.Keys.Select(k => k is YamlScalarNode { Value: { } v } ? v : throw Error(string.Empty, $"line {k.Start.Line}: keys must be plain strings"));

    public ConfigurationException Error(string key, string problem)
    {
        var line = Find(key) is { } n ? $" (line {n.Start.Line})" : string.Empty;
        var path = string.IsNullOrEmpty(prefix) ? key : string.IsNullOrEmpty(key) ? prefix : $"{prefix}.{key}";
        return new ConfigurationException(file, path, problem + line);
    }

    public string RequiredString(string key) =>
        OptionalString(key) ?? throw Error(key, "is required");

    public string? OptionalString(string key)
    {
        var value = Find(key);
        if (value is null || IsNull(value))
        {
            return null;
        }

        if (value is not YamlScalarNode { Value: { } text })
        {
            throw Error(key, "must be a string");
        }

        return string.IsNullOrWhiteSpace(text) ? throw Error(key, "must not be empty") : text.Trim();
    }

    public int? OptionalInt(string key, int min, int max)
    {
        var text = OptionalString(key);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(key, $"'{text}' is not a whole number");
        }

        return value < min || value > max ? throw Error(key, $"{value} is out of range [{min}, {max}]") : value;
    }

    public double? OptionalDouble(string key, double min, double max)
    {
        var text = OptionalString(key);
        if (text is null)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw Error(key, $"'{text}' is not a number");
        }

        return value < min || value > max ? throw Error(key, $"{value.ToString(CultureInfo.InvariantCulture)} is out of range [{min}, {max}]") : value;
    }

    public List<string> OptionalStringList(string key)
    {
        var value = Find(key);
        if (value is null || IsNull(value))
        {
            return [];
        }

        if (value is not YamlSequenceNode sequence)
        {
            throw Error(key, "must be a list of strings");
        }

        var result = new List<string>();
        foreach (var item in sequence)
        {
            if (item is not YamlScalarNode { Value: { } text } || string.IsNullOrWhiteSpace(text))
            {
                throw Error($"{key}[{result.Count}]", "must be a non-empty string");
            }

            result.Add(text.Trim());
        }

        return result;
    }

    public YamlMapReader? OptionalMap(string key)
    {
        var value = Find(key);
        if (value is null || IsNull(value))
        {
            return null;
        }

        return value is YamlMappingNode map
            ? new YamlMapReader(map, file, string.IsNullOrEmpty(prefix) ? key : $"{prefix}.{key}")
            : throw Error(key, "must be a mapping");
    }

    private YamlNode? Find(string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "~" or "null" };
}
