using System.Text.RegularExpressions;
using CompanyOs.Prompts.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace CompanyOs.Prompts.Definitions;

/// <summary>
/// Reads <c>variables:</c>. Two forms are accepted and may be mixed: a plain name (<c>- topic</c>, a required string, as in
/// the seed) or a mapping with <c>name</c>, <c>description</c>, <c>required</c>, <c>default</c> and <c>type</c>.
/// A variable with a default is optional; without one it is required unless <c>required: false</c> (then it is nil).
/// </summary>
internal static partial class VariableDeclarationParser
{
    private static readonly string[] Keys = ["name", "description", "required", "default", "type"];

    /// <summary>Names Liquid gives a meaning of its own; declaring them would shadow it.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "forloop", "tablerowloop", "empty", "blank", "nil", "null", "true", "false",
    };

    public static List<VariableDeclaration> Parse(YamlNode? node, DiagnosticBag diagnostics)
    {
        var result = new List<VariableDeclaration>();
        if (node is null or YamlScalarNode { Value: null or "" })
        {
            return result;
        }

        if (node is not YamlSequenceNode sequence)
        {
            diagnostics.Error(PromptDiagnosticCodes.InvalidShape, $"'variables' must be a list of names or of {{name, type, …}} mappings, found {PromptYamlParser.Describe(node)}", node);
            return result;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in sequence.Children)
        {
            var declaration = item switch
            {
                YamlScalarNode scalar => FromName(scalar, diagnostics),
                YamlMappingNode map => FromMapping(map, diagnostics),
                _ => Invalid(item, diagnostics),
            };
            if (declaration is null)
            {
                continue;
            }

            if (!seen.Add(declaration.Variable.Name))
            {
                diagnostics.Error(PromptDiagnosticCodes.InvalidVariable, $"variable '{declaration.Variable.Name}' is declared twice", item, declaration.Variable.Name);
                continue;
            }

            result.Add(declaration);
        }

        return result;
    }

    private static VariableDeclaration? Invalid(YamlNode item, DiagnosticBag diagnostics)
    {
        diagnostics.Error(PromptDiagnosticCodes.InvalidShape, $"a variable must be a name or a mapping, found {PromptYamlParser.Describe(item)}", item);
        return null;
    }

    private static VariableDeclaration? FromName(YamlScalarNode scalar, DiagnosticBag diagnostics)
    {
        var name = scalar.Value ?? string.Empty;
        return CheckName(name, scalar, diagnostics)
            ? new VariableDeclaration(new PromptVariable(name, null, true, null, "string"), VariableType.String, DiagnosticBag.LineOf(scalar.Start))
            : null;
    }

    private static VariableDeclaration? FromMapping(YamlMappingNode map, DiagnosticBag diagnostics)
    {
        foreach (var (key, _) in map.Children)
        {
            var keyName = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!Keys.Contains(keyName, StringComparer.Ordinal))
            {
                diagnostics.Error(PromptDiagnosticCodes.UnknownKey, KeySuggestion.UnknownKey(keyName, "a variable", Keys), key);
            }
        }

        if (PromptYamlParser.Get(map, "name") is not YamlScalarNode { Value: { Length: > 0 } name } nameNode)
        {
            diagnostics.Error(PromptDiagnosticCodes.InvalidVariable, "a variable mapping needs a 'name'", map);
            return null;
        }

        if (!CheckName(name, nameNode, diagnostics))
        {
            return null;
        }

        var description = PromptYamlParser.ReadText(map, "description", diagnostics, $"variable '{name}'")?.Text;
        var defaultNode = PromptYamlParser.Get(map, "default");
        var type = ReadType(map, name, defaultNode, diagnostics);
        var required = ReadRequired(map, name, defaultNode, diagnostics);
        if (type is null || required is null)
        {
            return null;
        }

        object? defaultValue = null;
        if (defaultNode is not null && !DefaultValueConverter.IsNull(defaultNode))
        {
            if (!DefaultValueConverter.TryConvert(defaultNode, type.Value, out defaultValue, out var error))
            {
                diagnostics.Error(PromptDiagnosticCodes.InvalidVariable, $"default of variable '{name}' {error}", defaultNode, name);
                return null;
            }
        }

        var typeName = type.Value.ToString().ToLowerInvariant();
        var variable = new PromptVariable(name, description, required.Value, defaultValue, typeName);
        return new VariableDeclaration(variable, type.Value, DiagnosticBag.LineOf(map.Start));
    }

    private static VariableType? ReadType(YamlMappingNode map, string name, YamlNode? defaultNode, DiagnosticBag diagnostics)
    {
        var node = PromptYamlParser.Get(map, "type");
        if (node is null)
        {
            return defaultNode is null ? VariableType.String : DefaultValueConverter.Infer(defaultNode);
        }

        if (node is YamlScalarNode { Value: { } text } && Enum.TryParse<VariableType>(text, ignoreCase: true, out var type)
            && !int.TryParse(text, out _))
        {
            return type;
        }

        diagnostics.Error(PromptDiagnosticCodes.InvalidVariable, $"variable '{name}' has unknown type {PromptYamlParser.Describe(node)}; use string, number, boolean, list or object", node, name);
        return null;
    }

    private static bool? ReadRequired(YamlMappingNode map, string name, YamlNode? defaultNode, DiagnosticBag diagnostics)
    {
        var node = PromptYamlParser.Get(map, "required");
        if (node is null)
        {
            return defaultNode is null;
        }

        if (node is not YamlScalarNode { Value: { } text } || !bool.TryParse(text, out var required))
        {
            diagnostics.Error(PromptDiagnosticCodes.InvalidVariable, $"'required' of variable '{name}' must be true or false, found {PromptYamlParser.Describe(node)}", node, name);
            return null;
        }

        if (required && defaultNode is not null)
        {
            diagnostics.Error(PromptDiagnosticCodes.InvalidVariable, $"variable '{name}' is required but has a default that could never be used; drop one of them", node, name);
            return null;
        }

        return required;
    }

    private static bool CheckName(string name, YamlNode node, DiagnosticBag diagnostics)
    {
        if (!IdentifierPattern().IsMatch(name))
        {
            diagnostics.Error(PromptDiagnosticCodes.InvalidVariable, $"'{name}' is not a valid variable name (letters, digits and '_', not starting with a digit)", node, name);
            return false;
        }

        if (Reserved.Contains(name))
        {
            diagnostics.Error(PromptDiagnosticCodes.InvalidVariable, $"'{name}' is a Liquid keyword and cannot be a variable name", node, name);
            return false;
        }

        return true;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierPattern();
}
