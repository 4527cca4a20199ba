using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CompanyOs.Prompts.Definitions;

/// <summary>Turns a YAML <c>default:</c> node into the CLR value a caller would pass for a variable of that type.</summary>
internal static class DefaultValueConverter
{
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public static VariableType Infer(YamlNode node) => node switch
    {
        YamlSequenceNode => VariableType.List,
        YamlMappingNode => VariableType.Object,
        YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text } when bool.TryParse(text, out _) => VariableType.Boolean,
        YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text } when IsNumber(text, out _) => VariableType.Number,
        _ => VariableType.String,
    };

    public static bool TryConvert(YamlNode node, VariableType type, out object? value, out string error)
    {
        value = null;
        error = string.Empty;
        switch (type)
        {
            case VariableType.String when node is YamlScalarNode scalar:
                value = scalar.Value ?? string.Empty;
                return true;
            case VariableType.Number when node is YamlScalarNode { Value: { } text } && IsNumber(text, out var number):
                value = number;
                return true;
            case VariableType.Boolean when node is YamlScalarNode { Value: { } text } && bool.TryParse(text, out var flag):
                value = flag;
                return true;
            case VariableType.List when node is YamlSequenceNode sequence:
                value = sequence.Children.Select(Plain).ToList();
                return true;
            case VariableType.Object when node is YamlMappingNode map:
                value = ToDictionary(map);
                return true;
            default:
                error = $"must be a {type.ToString().ToLowerInvariant()}, found {PromptYamlParser.Describe(node)}";
                return false;
        }
    }

    /// <summary>Converts nested YAML without a declared type: scalars stay text, lists and mappings keep their shape.</summary>
    private static object? Plain(YamlNode node) => node switch
    {
        YamlSequenceNode sequence => sequence.Children.Select(Plain).ToList(),
        YamlMappingNode map => ToDictionary(map),
        _ when IsNull(node) => null,
        YamlScalarNode scalar => scalar.Value,
        _ => null,
    };

    private static Dictionary<string, object?> ToDictionary(YamlMappingNode map) =>
        map.Children.ToDictionary(kv => (kv.Key as YamlScalarNode)?.Value ?? kv.Key.ToString(), kv => Plain(kv.Value), StringComparer.Ordinal);

    private static bool IsNumber(string text, out decimal number) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
}
