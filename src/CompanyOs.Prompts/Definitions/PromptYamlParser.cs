using CompanyOs.Prompts.Diagnostics;
using CompanyOs.Prompts.Versioning;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CompanyOs.Prompts.Definitions;

/// <summary>
/// Reads one prompt file into a <see cref="PromptDefinition"/>, checking its shape (known keys, types of fields, version)
/// and reporting every problem with its file line. Liquid is not parsed here (see <c>PromptCompiler</c>).
/// </summary>
internal static class PromptYamlParser
{
    private static readonly string[] RootKeys = ["version", "description", "system", "user", "few_shot_examples", "variables"];
    private static readonly string[] ExampleKeys = ["input", "output"];

    public static PromptDefinition? Parse(string file, PromptPath path, string content, DiagnosticBag diagnostics)
    {
        diagnostics.Template = path.Name;
        var root = LoadRoot(content, diagnostics);
        if (root is null)
        {
            return null;
        }

        foreach (var (keyNode, _) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? string.Empty;
            if (!RootKeys.Contains(key, StringComparer.Ordinal))
            {
                var extra = key == "name" ? " — the template name comes from the file path" : string.Empty;
                diagnostics.Error(PromptDiagnosticCodes.UnknownKey, KeySuggestion.UnknownKey(key, "the template", RootKeys) + extra, keyNode);
            }
        }

        var version = ReadVersion(root, path, diagnostics);
        var description = ReadText(root, "description", diagnostics)?.Text;
        var system = ReadText(root, "system", diagnostics);
        var user = ReadText(root, "user", diagnostics);
        if (IsBlank(Get(root, "system")) && IsBlank(Get(root, "user")))
        {
            diagnostics.Error(PromptDiagnosticCodes.MissingField, "the template has neither 'system' nor 'user' text; at least one is required", root);
        }

        var examples = ReadExamples(root, diagnostics);
        var variables = VariableDeclarationParser.Parse(Get(root, "variables"), diagnostics);
        return diagnostics.HasErrors || version is null
            ? null
            : new PromptDefinition(diagnostics.File, path.Name, version, description, system, user, examples, variables);
    }

    private static YamlMappingNode? LoadRoot(string content, DiagnosticBag diagnostics)
    {
        var stream = YamlDocumentLoader.Load(content, diagnostics);
        if (stream is null)
        {
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            diagnostics.Error(PromptDiagnosticCodes.InvalidShape, "the file is empty; expected a mapping with version, system/user, variables…", 1);
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            diagnostics.Error(PromptDiagnosticCodes.InvalidShape, "the file holds several YAML documents ('---'); one template per file", stream.Documents[1].RootNode);
            return null;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            diagnostics.Error(PromptDiagnosticCodes.InvalidShape, $"the template must be a YAML mapping, found {Describe(stream.Documents[0].RootNode)}", stream.Documents[0].RootNode);
            return null;
        }

        foreach (var (key, _) in root.Children)
        {
            if (key is not YamlScalarNode)
            {
                diagnostics.Error(PromptDiagnosticCodes.InvalidShape, "keys must be plain names", key);
                return null;
            }
        }

        return root;
    }

    private static PromptVersion? ReadVersion(YamlMappingNode root, PromptPath path, DiagnosticBag diagnostics)
    {
        var node = Get(root, "version");
        string? text;
        if (node is null)
        {
            text = path.Version;
            if (text is null)
            {
                diagnostics.Error(PromptDiagnosticCodes.MissingField, "missing 'version' (e.g. version: \"1.0\")", root);
                return null;
            }
        }
        else if (node is YamlScalarNode { Value: { Length: > 0 } value })
        {
            text = value;
        }
        else
        {
            diagnostics.Error(PromptDiagnosticCodes.InvalidVersion, $"'version' must be a version such as \"1.0\", found {Describe(node)}", node);
            return null;
        }

        var line = node is null ? 1 : DiagnosticBag.LineOf(node.Start);
        if (!PromptVersion.TryParse(text, out var version))
        {
            diagnostics.Error(PromptDiagnosticCodes.InvalidVersion, $"'{text}' is not a version (expected major[.minor[.patch]][-prerelease], e.g. 1.0 or 2.1.0-beta)", line);
            return null;
        }

        diagnostics.Version = version.Text;
        if (path.Version is not null && node is not null
            && (!PromptVersion.TryParse(path.Version, out var fromName) || fromName != version))
        {
            diagnostics.Error(PromptDiagnosticCodes.InvalidVersion, $"the file name says version '{path.Version}' but 'version' is '{text}'; they must agree", line);
            return null;
        }

        return version;
    }

    private static List<FewShotExampleSource> ReadExamples(YamlMappingNode root, DiagnosticBag diagnostics)
    {
        var result = new List<FewShotExampleSource>();
        var node = Get(root, "few_shot_examples");
        if (node is null or YamlScalarNode { Value: null or "" })
        {
            return result;
        }

        if (node is not YamlSequenceNode sequence)
        {
            diagnostics.Error(PromptDiagnosticCodes.InvalidShape, $"'few_shot_examples' must be a list of {{input, output}} pairs, found {Describe(node)}", node);
            return result;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var field = $"few_shot_examples[{i}]";
            if (sequence.Children[i] is not YamlMappingNode example)
            {
                diagnostics.Error(PromptDiagnosticCodes.InvalidShape, $"{field} must be a mapping with 'input' and 'output', found {Describe(sequence.Children[i])}", sequence.Children[i]);
                continue;
            }

            foreach (var (key, _) in example.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? string.Empty;
                if (!ExampleKeys.Contains(name, StringComparer.Ordinal))
                {
                    diagnostics.Error(PromptDiagnosticCodes.UnknownKey, KeySuggestion.UnknownKey(name, field, ExampleKeys), key);
                }
            }

            var input = ReadText(example, "input", diagnostics, field);
            var output = ReadText(example, "output", diagnostics, field);
            if (input is null || output is null)
            {
                diagnostics.Error(PromptDiagnosticCodes.MissingField, $"{field} needs both 'input' (user) and 'output' (assistant) text", example);
                continue;
            }

            result.Add(new FewShotExampleSource(input, output));
        }

        return result;
    }

    /// <summary>Reads a text field; null when absent or empty. Non-scalar values are reported.</summary>
    internal static TemplateSource? ReadText(YamlMappingNode map, string key, DiagnosticBag diagnostics, string? parent = null)
    {
        var node = Get(map, key);
        var field = parent is null ? key : $"{parent}.{key}";
        if (node is null)
        {
            return null;
        }

        if (node is not YamlScalarNode scalar)
        {
            diagnostics.Error(PromptDiagnosticCodes.InvalidShape, $"'{field}' must be text, found {Describe(node)}", node);
            return null;
        }

        if (string.IsNullOrWhiteSpace(scalar.Value))
        {
            return null;
        }

        var block = scalar.Style is ScalarStyle.Literal or ScalarStyle.Folded;
        var quoted = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted;
        var line = DiagnosticBag.LineOf(scalar.Start) + (block ? 1 : 0);
        var column = block ? 1 : DiagnosticBag.ColumnOf(scalar.Start) + (quoted ? 1 : 0);
        return new TemplateSource(field, scalar.Value, line, column);
    }

    private static bool IsBlank(YamlNode? node) => node is null || (node is YamlScalarNode scalar && string.IsNullOrWhiteSpace(scalar.Value));

    internal static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    internal static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        YamlScalarNode { Value: null or "" } => "nothing",
        YamlScalarNode s => $"'{Truncate(s.Value!)}'",
        _ => node.NodeType.ToString(),
    };

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
