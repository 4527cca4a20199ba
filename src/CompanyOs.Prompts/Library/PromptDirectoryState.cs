using CompanyOs.Prompts.Compilation;
using CompanyOs.Prompts.Diagnostics;

namespace CompanyOs.Prompts.Library;

/// <summary>
/// What the library knows about each file between reloads. A file whose text has not changed is not recompiled; a file
/// whose new text is broken keeps serving its last good compiled version; a deleted file disappears.
/// Not thread-safe: the library serialises reloads.
/// </summary>
internal sealed class PromptDirectoryState(string root, PromptFileLoader loader)
{
    private Dictionary<string, FileEntry> _files = new(StringComparer.Ordinal);

    public ReloadOutcome Reload()
    {
        var next = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
        var diagnostics = new List<PromptDiagnostic>();
        var keptLastGood = new List<CompiledPrompt>();
        var files = Directory.Exists(root) ? PromptFileLoader.EnumerateFiles(root) : [];
        if (!Directory.Exists(root))
        {
            diagnostics.Add(new PromptDiagnostic(root, 0, 0, PromptDiagnosticSeverity.Error, PromptDiagnosticCodes.InvalidLocation, $"prompt directory '{root}' does not exist"));
        }

        foreach (var file in files)
        {
            _files.TryGetValue(file, out var previous);
            var content = PromptFileLoader.TryRead(file, out var readError);
            FileEntry entry;
            if (content is null)
            {
                entry = new FileEntry(previous?.Content, previous?.Good, [readError!]);
            }
            else if (previous is not null && previous.Content == content)
            {
                entry = previous;
            }
            else
            {
                var result = loader.Load(root, file, content);
                entry = new FileEntry(content, result.Prompt ?? previous?.Good, result.Diagnostics);
            }

            var errors = entry.Diagnostics.Where(d => d.Severity == PromptDiagnosticSeverity.Error).ToList();
            diagnostics.AddRange(errors);
            if (errors.Count > 0 && entry.Good is not null)
            {
                keptLastGood.Add(entry.Good);
            }

            next[file] = entry;
        }

        var removed = _files.Keys.Where(f => !next.ContainsKey(f)).ToList();
        _files = next;
        var catalog = PromptCatalog.Build(next.Values.Where(e => e.Good is not null).Select(e => e.Good!), diagnostics);
        return new ReloadOutcome(catalog, diagnostics, keptLastGood, removed);
    }

    private sealed record FileEntry(string? Content, CompiledPrompt? Good, IReadOnlyList<PromptDiagnostic> Diagnostics);
}
