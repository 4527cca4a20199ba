using System.Globalization;

namespace CompanyOs.Tools.FileSystem;

/// <summary>
/// Resolves model-supplied paths physically — every symlink followed (final and intermediate, with a hop limit against loops),
/// every <c>..</c> applied to the real parent — and admits only paths whose real location lies inside a configured root.
/// Tricks that can only be mistakes or attacks (<c>~</c>, NUL and control characters, percent-encoded separators and dots,
/// backslashes) are refused before touching the file system. Paths outside the roots are refused the same way whether or not
/// they exist, so the tool is no oracle for the rest of the machine.
/// </summary>
public sealed class ConfinedPathResolver
{
    /// <summary>Longest path accepted (Linux <c>PATH_MAX</c>).</summary>
    public const int MaxPathLength = 4096;

    /// <summary>Symlinks followed in one resolution before it is declared a loop (Linux uses 40).</summary>
    public const int MaxSymlinkHops = 40;

    private readonly string[] _roots;

    /// <param name="roots">Existing directories; each is itself resolved to its physical path.</param>
    /// <exception cref="ArgumentException">No roots, a root that is not an existing directory, or the file system root.</exception>
    public ConfinedPathResolver(IEnumerable<string> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        var resolved = new List<string>();
        foreach (var root in roots)
        {
            if (string.IsNullOrWhiteSpace(root) || !Path.IsPathFullyQualified(root))
            {
                throw new ArgumentException($"root '{root}' must be an absolute path", nameof(roots));
            }

            var walk = Walk(Path.GetFullPath(root));
            if (walk.Error is not null || walk.Missing || UnixFileStatus.OfPath(walk.Path).Type != UnixFileType.Directory)
            {
                throw new ArgumentException($"root '{root}' is not an existing directory", nameof(roots));
            }

            if (walk.Path == "/")
            {
                throw new ArgumentException("root '/' would expose the whole machine", nameof(roots));
            }

            resolved.Add(walk.Path);
        }

        if (resolved.Count == 0)
        {
            throw new ArgumentException("at least one root directory is required", nameof(roots));
        }

        _roots = [.. resolved];
    }

    /// <summary>The physical root directories; relative paths resolve against the first.</summary>
    public IReadOnlyList<string> Roots => _roots;

    /// <summary>Resolves <paramref name="requested"/> (relative to the first root, or absolute) and checks it stays inside a root.</summary>
    public PathResolution Resolve(string? requested)
    {
        if (Reject(requested) is { } reason)
        {
            return PathResolution.Refused(reason);
        }

        var combined = Path.IsPathRooted(requested) ? requested! : _roots[0] + "/" + requested;
        var walk = Walk(combined);
        if (!IsInsideRoot(walk.Path))
        {
            return PathResolution.Refused($"'{requested}' is outside the allowed directories ({string.Join(", ", _roots)})");
        }

        if (walk.Error is not null)
        {
            return PathResolution.Refused($"'{requested}': {walk.Error}");
        }

        if (walk.Missing)
        {
            return PathResolution.Refused($"'{requested}' does not exist");
        }

        return PathResolution.Allowed(walk.Path, UnixFileStatus.OfPath(walk.Path).Type);
    }

    /// <summary>True when <paramref name="physicalPath"/> is a root or lies below one (whole path segments only).</summary>
    public bool IsInsideRoot(string physicalPath)
    {
        ArgumentNullException.ThrowIfNull(physicalPath);
        foreach (var root in _roots)
        {
            if (physicalPath == root || (physicalPath.StartsWith(root, StringComparison.Ordinal) && physicalPath.Length > root.Length && physicalPath[root.Length] == '/'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Path relative to the root containing it, for display to the model.</summary>
    public string ToDisplayPath(string physicalPath)
    {
        ArgumentNullException.ThrowIfNull(physicalPath);
        return physicalPath == _roots[0] ? "." : physicalPath.StartsWith(_roots[0] + "/", StringComparison.Ordinal) ? physicalPath[(_roots[0].Length + 1)..] : physicalPath;
    }

    private static string? Reject(string? requested)
    {
        if (string.IsNullOrEmpty(requested))
        {
            return "a path is required";
        }

        if (requested.Length > MaxPathLength)
        {
            return $"path is longer than {MaxPathLength} characters";
        }

        if (requested.Contains('\0', StringComparison.Ordinal))
        {
            return "path contains a NUL byte";
        }

        if (requested.Any(char.IsControl))
        {
            return "path contains control characters";
        }

        if (requested[0] == '~')
        {
            return $"'{requested}': home-directory paths ('~') are not allowed; use a path inside the allowed directories";
        }

        if (requested.Contains('\\', StringComparison.Ordinal))
        {
            return $"'{requested}': backslashes are not path separators here; use '/'";
        }

        if (HasEncodedTrick(requested))
        {
            return $"'{requested}': percent-encoded dots, slashes or NULs are not decoded; write the path literally";
        }

        return null;
    }

    // %2e (.), %2f (/), %5c (\), %00 and %25 (an encoded %, i.e. double encoding) are only ever used to smuggle traversal.
    private static bool HasEncodedTrick(string path)
    {
        for (var i = path.IndexOf('%', StringComparison.Ordinal); i >= 0; i = path.IndexOf('%', i + 1))
        {
            if (i + 2 < path.Length
                && int.TryParse(path.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                && code is 0x2e or 0x2f or 0x5c or 0x00 or 0x25)
            {
                return true;
            }
        }

        return false;
    }

    private static WalkResult Walk(string absolute)
    {
        var pending = new LinkedList<string>(absolute.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var current = "/";
        var hops = 0;
        var missing = false;
        while (pending.First is { } node)
        {
            var part = node.Value;
            pending.RemoveFirst();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = current == "/" ? "/" : Path.GetDirectoryName(current) ?? "/";
                continue;
            }

            var next = current == "/" ? "/" + part : current + "/" + part;
            if (missing)
            {
                current = next;
                continue;
            }

            var type = UnixFileStatus.OfPath(next).Type;
            if (type == UnixFileType.SymbolicLink)
            {
                if (++hops > MaxSymlinkHops)
                {
                    return new WalkResult(next, false, "too many levels of symbolic links (a symlink loop?)");
                }

                var target = new FileInfo(next).LinkTarget ?? string.Empty;
                var targetParts = target.Split('/', StringSplitOptions.RemoveEmptyEntries);
                for (var i = targetParts.Length - 1; i >= 0; i--)
                {
                    pending.AddFirst(targetParts[i]);
                }

                if (target.StartsWith('/'))
                {
                    current = "/";
                }

                continue;
            }

            if (type == UnixFileType.Missing)
            {
                missing = true;
            }
            else if (type != UnixFileType.Directory && pending.Count > 0)
            {
                return new WalkResult(next, false, $"'{part}' is not a directory");
            }

            current = next;
        }

        return new WalkResult(current, missing, null);
    }

    private readonly record struct WalkResult(string Path, bool Missing, string? Error);
}
