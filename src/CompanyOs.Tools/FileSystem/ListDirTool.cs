using System.Globalization;
using System.Text;
using CompanyOs.Tools.Typed;

namespace CompanyOs.Tools.FileSystem;

/// <summary><c>list_dir</c>: lists one directory inside the configured roots (names, kinds, sizes), without following symlinks.</summary>
public sealed class ListDirTool : TypedTool<ListDirArguments>
{
    private readonly ConfinedPathResolver _resolver;
    private readonly int _maxEntries;

    public ListDirTool(ConfinedPathResolver resolver, FileSystemToolOptions options)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxListEntries, 1, nameof(options));
        _resolver = resolver;
        _maxEntries = options.MaxListEntries;
    }

    public override string Name => "list_dir";

    public override string Description =>
        "Lists a directory inside the allowed directories: one entry per line, directories end with '/', files show their size, "
        + $"symlinks and special files are marked. At most {_maxEntries} entries.";

    public override ToolRisk Risk => ToolRisk.Low;

    public override bool IsIdempotent => true;

    public override TimeSpan Timeout => TimeSpan.FromSeconds(10);

    protected override Task<ToolResult> InvokeAsync(ListDirArguments arguments, ToolInvocationContext context, CancellationToken cancellationToken)
    {
        var resolution = _resolver.Resolve(arguments.Path);
        if (!resolution.IsAllowed)
        {
            return Task.FromResult(ToolResult.Error(resolution.Error!));
        }

        if (resolution.Type != UnixFileType.Directory)
        {
            return Task.FromResult(ToolResult.Error($"'{arguments.Path}' is not a directory ({ReadFileTool.Describe(resolution.Type)})"));
        }

        // The directory is opened without following any symlink (a component swapped for one after resolution fails the open)
        // and then enumerated and stat-ed through that descriptor, never by name again.
        var (opened, openError) = NoFollowOpen.Open(resolution.FullPath!, directory: true);
        if (opened is null)
        {
            return Task.FromResult(ToolResult.Error($"'{arguments.Path}' {openError}"));
        }

        using var directory = opened;
        var options = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0, RecurseSubdirectories = false };
        var byDescriptor = $"/proc/self/fd/{directory.DangerousGetHandle()}";
        var names = Directory.EnumerateFileSystemEntries(byDescriptor, "*", options).Select(Path.GetFileName).OfType<string>().ToList();
        names.Sort(StringComparer.Ordinal);

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{_resolver.ToDisplayPath(resolution.FullPath!)}: {names.Count} entries");
        foreach (var name in names.Take(_maxEntries))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (type, size) = UnixFileStatus.OfEntry(directory, name);
            var shown = DisplayName(name);
            text.Append('\n').Append(type switch
            {
                UnixFileType.Directory => shown + "/",
                UnixFileType.Regular => string.Create(CultureInfo.InvariantCulture, $"{shown}  ({size} bytes)"),
                _ => $"{shown}  ({ReadFileTool.Describe(type)})",
            });
        }

        if (names.Count > _maxEntries)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n[truncated: {names.Count - _maxEntries} more entries not shown]");
        }

        return Task.FromResult(ToolResult.Success(text.ToString()));
    }

    /// <summary>
    /// A file name as one line of the listing. Linux allows any byte but '/' and NUL in a name, so a name holding a newline,
    /// another control character or a Unicode line/paragraph separator could otherwise forge entries (or a truncation marker) in what the model reads: such a
    /// name is shown quoted, with C-style escapes (<c>"a\nb"</c>); every other name is shown as it is.
    /// </summary>
    internal static string DisplayName(string name)
    {
        if (!name.Any(BreaksLine))
        {
            return name;
        }

        var quoted = new StringBuilder(name.Length + 8).Append('"');
        foreach (var c in name)
        {
            quoted.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '"' => "\\\"",
                '\\' => "\\\\",
                _ when BreaksLine(c) => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    private static bool BreaksLine(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
