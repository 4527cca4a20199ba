using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CompanyOs.Prompts.Definitions;

/// <summary>Turns a YAML <c>default:</c> node into the CLR value a caller would pass for a variable of that type.</summary>
internal static class DefaultValueConverter
{
    /// <summary>Deepest nesting of lists and mappings in a default (the outermost one is level 1).</summary>
    public const int MaxDepth = 16;

    /// <summary>Most values (scalars, lists and mappings, after alias expansion) in one default.</summary>
    public const int MaxValues = 10_000;

    /// <summary>Most characters of text (after alias expansion) in one default.</summary>
    public const int MaxCharacters = 1_000_000;

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
            case VariableType.List or VariableType.Object when node is YamlSequenceNode or YamlMappingNode
                && (type == VariableType.List) == (node is YamlSequenceNode):
                var budget = new Budget();
                value = Plain(node, 1, budget);
                error = budget.Problem ?? string.Empty;
                return budget.Problem is null;
            default:
                error = $"must be a {type.ToString().ToLowerInvariant()}, found {PromptYamlParser.Describe(node)}";
                return false;
        }
    }

    /// <summary>
    /// Converts nested YAML without a declared type: scalars stay text, lists and mappings keep their shape. Aliases are
    /// expanded (each use becomes its own copy, as Liquid sees it), so the budget counts what the expansion produces: a
    /// "billion laughs" default or an alias to its own ancestor stops at the first limit instead of exhausting memory or
    /// the stack. Depth also bounds the recursion of <c>FluidValue.Create</c> over the result.
    /// </summary>
    private static object? Plain(YamlNode node, int depth, Budget budget)
    {
        if (budget.Problem is not null)
        {
            return null;
        }

        if (++budget.Values > MaxValues)
        {
            budget.Problem = $"expands to more than {MaxValues} values (are YAML aliases repeating it?)";
            return null;
        }

        if (node is YamlSequenceNode or YamlMappingNode && depth > MaxDepth)
        {
            budget.Problem = $"nests lists and mappings deeper than {MaxDepth} levels (is a YAML alias pointing at its own parent?)";
            return null;
        }

        switch (node)
        {
            case YamlSequenceNode sequence:
                var list = new List<object?>(sequence.Children.Count);
                foreach (var child in sequence.Children)
                {
                    list.Add(Plain(child, depth + 1, budget));
                }

                return list;
            case YamlMappingNode map:
                var dictionary = new Dictionary<string, object?>(map.Children.Count, StringComparer.Ordinal);
                foreach (var (key, child) in map.Children)
                {
                    dictionary[(key as YamlScalarNode)?.Value ?? PromptYamlParser.Describe(key)] = Plain(child, depth + 1, budget);
                }

                return dictionary;
            case YamlScalarNode scalar when !IsNull(node):
                budget.Characters += scalar.Value?.Length ?? 0;
                if (budget.Characters > MaxCharacters)
                {
                    budget.Problem = $"expands to more than {MaxCharacters} characters of text";
                }

                return scalar.Value;
            default:
                return null;
        }
    }

    private static bool IsNumber(string text, out decimal number) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number);

    private sealed class Budget
    {
        public int Values { get; set; }

        public long Characters { get; set; }

        public string? Problem { get; set; }
    }
}
