namespace CompanyOs.Tools.FileSystem;

/// <summary>Outcome of resolving a model-supplied path: the real path inside a root, or why it was refused.</summary>
public sealed record PathResolution
{
    private PathResolution(string? fullPath, string? error, UnixFileType type)
    {
        FullPath = fullPath;
        Error = error;
        Type = type;
    }

    /// <summary>The physical path (no symlinks, no <c>..</c>) inside a root; null when refused.</summary>
    public string? FullPath { get; }

    /// <summary>Why the path was refused; null when it resolved inside a root.</summary>
    public string? Error { get; }

    /// <summary>What the path names, or <see cref="UnixFileType.Missing"/>.</summary>
    public UnixFileType Type { get; }

    public bool IsAllowed => Error is null;

    internal static PathResolution Allowed(string fullPath, UnixFileType type) => new(fullPath, null, type);

    internal static PathResolution Refused(string error) => new(null, error, UnixFileType.Missing);
}
