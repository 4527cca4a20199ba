using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CompanyOs.Prompts.Diagnostics;

/// <summary>Collects the diagnostics of one file, stamping each with the file, template name and version known so far.</summary>
internal sealed class DiagnosticBag(string file)
{
    private readonly List<PromptDiagnostic> _items = [];

    public string File { get; } = file;

    public string? Template { get; set; }

    public string? Version { get; set; }

    public IReadOnlyList<PromptDiagnostic> Items => _items;

    public bool HasErrors => _items.Exists(d => d.Severity == PromptDiagnosticSeverity.Error);

    public void Error(string code, string message, int line, int column = 0, string? variable = null) =>
        Add(PromptDiagnosticSeverity.Error, code, message, line, column, variable);

    public void Error(string code, string message, YamlNode node, string? variable = null) =>
        Add(PromptDiagnosticSeverity.Error, code, message, LineOf(node.Start), ColumnOf(node.Start), variable);

    public void Warning(string code, string message, int line, int column = 0, string? variable = null) =>
        Add(PromptDiagnosticSeverity.Warning, code, message, line, column, variable);

    public void Add(PromptDiagnostic diagnostic) => _items.Add(diagnostic);

    public static int LineOf(Mark mark) => (int)Math.Min(mark.Line, int.MaxValue);

    public static int ColumnOf(Mark mark) => (int)Math.Min(mark.Column, int.MaxValue);

    private void Add(PromptDiagnosticSeverity severity, string code, string message, int line, int column, string? variable) =>
        _items.Add(new PromptDiagnostic(File, line, column, severity, code, message, Template, Version, variable));
}
