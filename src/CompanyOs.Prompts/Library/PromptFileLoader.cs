using System.IO.Enumeration;
using CompanyOs.Configuration;
using CompanyOs.Prompts.Compilation;
using CompanyOs.Prompts.Definitions;
using CompanyOs.Prompts.Diagnostics;

namespace CompanyOs.Prompts.Library;

/// <summary>Reads, parses and compiles one prompt file; never throws for bad content, only reports diagnostics.</summary>
internal sealed class PromptFileLoader(LiquidEnvironment environment)
{
    private readonly PromptCompiler _compiler = new(environment);

    /// <summary>
    /// All prompt files under <paramref name="root"/>, in a stable (ordinal) order. A symlinked directory is not entered: the
    /// walk followed them, so a link to <c>..</c> loaded every prompt again under 40 nested names, two such links made the
    /// walk exponential (the constructor or the hot reload never returned), and a link to <c>/etc</c> read its YAML. A
    /// symlinked file is read like any other.
    /// </summary>
    public static IReadOnlyList<string> EnumerateFiles(string root)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden };
        var files = new FileSystemEnumerable<string>(root, static (ref FileSystemEntry entry) => entry.ToFullPath(), options)
        {
            ShouldIncludePredicate = static (ref FileSystemEntry entry) => !entry.IsDirectory,
            ShouldRecursePredicate = static (ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        return files.Where(PromptPath.IsPromptFile).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Reads the file's text, or returns null and reports why it could not be read.</summary>
    public static string? TryRead(string file, out PromptDiagnostic? error)
    {
        error = null;
        try
        {
            return ConfigFile.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = new PromptDiagnostic(file, 0, 0, PromptDiagnosticSeverity.Error, PromptDiagnosticCodes.InvalidYaml, $"cannot read the file: {e.Message}");
            return null;
        }
    }

    public PromptFileResult Load(string root, string file, string content)
    {
        var diagnostics = new DiagnosticBag(file);
        var path = PromptPath.TryCreate(root, file, out var pathError);
        if (path is null)
        {
            diagnostics.Error(PromptDiagnosticCodes.InvalidLocation, pathError!, 0);
            return new PromptFileResult(file, content, null, diagnostics.Items);
        }

        var definition = PromptYamlParser.Parse(file, path, content, diagnostics);
        var prompt = definition is null ? null : _compiler.Compile(definition, diagnostics);
        return new PromptFileResult(file, content, prompt, diagnostics.Items);
    }
}
