using CompanyOs.Prompts.Compilation;
using CompanyOs.Prompts.Diagnostics;
using CompanyOs.Prompts.Library;

namespace CompanyOs.Prompts.Linting;

/// <summary>
/// Validates prompt files without loading them into a library: YAML shape, unknown keys, version, variable declarations,
/// Liquid syntax, unknown filters, variables used but not declared (error) and declared but not used (warning), and
/// duplicate versions across files. Used by the tests and by <c>companyos prompts lint</c>.
/// </summary>
public sealed class PromptLinter
{
    private readonly PromptFileLoader _loader = new(new LiquidEnvironment());

    /// <summary>Lints every <c>.yaml</c>/<c>.yml</c> file under <paramref name="directory"/>; diagnostics sorted by file and line.</summary>
    public IReadOnlyList<PromptDiagnostic> LintDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            return [new PromptDiagnostic(root, 0, 0, PromptDiagnosticSeverity.Error, PromptDiagnosticCodes.InvalidLocation, $"prompt directory '{root}' does not exist")];
        }

        var diagnostics = new List<PromptDiagnostic>();
        var compiled = new List<CompiledPrompt>();
        foreach (var file in PromptFileLoader.EnumerateFiles(root))
        {
            var content = PromptFileLoader.TryRead(file, out var readError);
            if (content is null)
            {
                diagnostics.Add(readError!);
                continue;
            }

            var result = _loader.Load(root, file, content);
            diagnostics.AddRange(result.Diagnostics);
            if (result.Prompt is not null)
            {
                compiled.Add(result.Prompt);
            }
        }

        PromptCatalog.Build(compiled, diagnostics);
        return Sort(diagnostics);
    }

    /// <summary>
    /// Lints one file's <paramref name="content"/> as if it were at <paramref name="file"/> under <paramref name="root"/>
    /// (the path gives the template name and may give the version). Duplicate versions need <see cref="LintDirectory"/>.
    /// </summary>
    public IReadOnlyList<PromptDiagnostic> LintText(string root, string file, string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var fullRoot = Path.GetFullPath(root);
        var fullFile = Path.GetFullPath(file, fullRoot);
        return Sort(_loader.Load(fullRoot, fullFile, content).Diagnostics);
    }

    private static List<PromptDiagnostic> Sort(IEnumerable<PromptDiagnostic> diagnostics) =>
        diagnostics.OrderBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Line).ThenBy(d => d.Column).ToList();
}
