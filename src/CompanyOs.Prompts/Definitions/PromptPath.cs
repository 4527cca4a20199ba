using System.Buffers;

namespace CompanyOs.Prompts.Definitions;

/// <summary>
/// The template name and optional version encoded in a file's path: <c>&lt;root&gt;/researcher/persona.yaml</c> is
/// <c>researcher/persona</c>; <c>researcher/persona@1.2.yaml</c> is <c>researcher/persona</c> at version <c>1.2</c>.
/// </summary>
internal sealed record PromptPath(string Name, string? Version)
{
    private static readonly SearchValues<char> NameCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.");

    /// <summary>True for the extensions the library loads (<c>.yaml</c>, <c>.yml</c>).</summary>
    public static bool IsPromptFile(string path)
    {
        var extension = Path.GetExtension(path);
        return extension.Equals(".yaml", StringComparison.OrdinalIgnoreCase) || extension.Equals(".yml", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Derives the name from <paramref name="file"/> relative to <paramref name="root"/>, or explains why it cannot.</summary>
    public static PromptPath? TryCreate(string root, string file, out string? error)
    {
        error = null;
        var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
        var segments = relative.Split('/');
        if (segments.Length < 2)
        {
            error = "a prompt must live in an agent folder: prompts/<agent>/<name>.yaml";
            return null;
        }

        var stem = Path.GetFileNameWithoutExtension(segments[^1]);
        string? version = null;
        var at = stem.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            version = stem[(at + 1)..];
            stem = stem[..at];
            if (version.Length == 0)
            {
                error = $"file name '{segments[^1]}' has '@' but no version after it (expected <name>@<version>.yaml)";
                return null;
            }
        }

        segments[^1] = stem;
        foreach (var segment in segments)
        {
            if (segment.Length == 0 || segment.AsSpan().ContainsAnyExcept(NameCharacters) || segment.StartsWith('.'))
            {
                error = $"'{segment}' is not a valid name part in '{relative}' (use letters, digits, '_', '-' and '.')";
                return null;
            }
        }

        return new PromptPath(string.Join('/', segments), version);
    }
}
