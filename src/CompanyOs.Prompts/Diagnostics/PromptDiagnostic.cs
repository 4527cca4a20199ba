using System.Globalization;

namespace CompanyOs.Prompts.Diagnostics;

/// <summary>
/// One problem found in a prompt file: where it is (<paramref name="File"/>, 1-based <paramref name="Line"/> and
/// <paramref name="Column"/> when known), a stable <paramref name="Code"/> and a message naming the template, version or
/// variable concerned.
/// </summary>
/// <param name="File">Path of the YAML file.</param>
/// <param name="Line">1-based line in the file, or 0 when the problem concerns the whole file.</param>
/// <param name="Column">1-based column, or 0 when unknown.</param>
/// <param name="Severity">Error (not loadable) or warning.</param>
/// <param name="Code">Stable identifier such as <c>PR0004</c>; see <see cref="PromptDiagnosticCodes"/>.</param>
/// <param name="Message">Human-readable description.</param>
/// <param name="Template">Template name (<c>agent/name</c>) when known.</param>
/// <param name="Version">Template version when known.</param>
/// <param name="Variable">The variable concerned, if any.</param>
public sealed record PromptDiagnostic(
    string File,
    int Line,
    int Column,
    PromptDiagnosticSeverity Severity,
    string Code,
    string Message,
    string? Template = null,
    string? Version = null,
    string? Variable = null)
{
    /// <summary>Compiler-style rendering: <c>file(line,col): error PR0004: message</c>.</summary>
    public override string ToString()
    {
        var where = Line > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{File}({Line},{Math.Max(Column, 1)})")
            : File;
        var severity = Severity == PromptDiagnosticSeverity.Error ? "error" : "warning";
        return $"{where}: {severity} {Code}: {Message}";
    }
}
