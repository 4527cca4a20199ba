using System.Collections.Frozen;
using CompanyOs.Prompts.Compilation;
using CompanyOs.Prompts.Diagnostics;
using CompanyOs.Prompts.Versioning;

namespace CompanyOs.Prompts.Library;

/// <summary>
/// An immutable snapshot of the loaded prompts: every name with its versions in ascending order. Reloads build a new
/// catalog and swap it in, so a render never sees a half-loaded library.
/// </summary>
internal sealed class PromptCatalog
{
    private readonly FrozenDictionary<string, CompiledPrompt[]> _byName;

    private PromptCatalog(FrozenDictionary<string, CompiledPrompt[]> byName) => _byName = byName;

    public static PromptCatalog Empty { get; } = new(FrozenDictionary<string, CompiledPrompt[]>.Empty);

    public int VersionCount => _byName.Values.Sum(v => v.Length);

    /// <summary>
    /// Builds a catalog from compiled prompts (in file order). When two files declare the same name and version, the first
    /// file (ordinal path order) wins and the other is reported as <see cref="PromptDiagnosticCodes.DuplicateVersion"/>.
    /// </summary>
    public static PromptCatalog Build(IEnumerable<CompiledPrompt> prompts, ICollection<PromptDiagnostic> diagnostics)
    {
        var byName = new Dictionary<string, List<CompiledPrompt>>(StringComparer.Ordinal);
        foreach (var prompt in prompts)
        {
            if (!byName.TryGetValue(prompt.Name, out var versions))
            {
                byName[prompt.Name] = versions = [];
            }

            var existing = versions.Find(v => v.Version == prompt.Version);
            if (existing is not null)
            {
                diagnostics.Add(new PromptDiagnostic(
                    prompt.Definition.File, 1, 0, PromptDiagnosticSeverity.Error, PromptDiagnosticCodes.DuplicateVersion,
                    $"prompt '{prompt.Name}' version {prompt.Version} is already defined in {existing.Definition.File}; each version must be unique",
                    prompt.Name, prompt.Version.Text));
                continue;
            }

            versions.Add(prompt);
        }

        return new PromptCatalog(byName.ToFrozenDictionary(
            kv => kv.Key,
            kv => kv.Value.OrderBy(p => p.Version).ToArray(),
            StringComparer.Ordinal));
    }

    public IReadOnlyList<PromptInfo> List() =>
        _byName.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => Info(kv.Value)).ToList();

    public PromptInfo? Find(string name) => _byName.TryGetValue(name, out var versions) ? Info(versions) : null;

    /// <summary>
    /// The prompt <paramref name="name"/> at <paramref name="version"/>; with no version, the highest release (pre-releases
    /// only when nothing else exists).
    /// </summary>
    public CompiledPrompt Resolve(string name, string? version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_byName.TryGetValue(name, out var versions))
        {
            var known = string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal).Take(30));
            throw new PromptException($"unknown prompt '{name}'; known prompts: {(known.Length == 0 ? "none" : known)}", name, version);
        }

        if (version is null)
        {
            return Array.FindLast(versions, v => !v.Version.IsPrerelease) ?? versions[^1];
        }

        // Fast path: the version exactly as written in the file (the usual way a version is pinned).
        foreach (var candidate in versions)
        {
            if (string.Equals(candidate.Version.Text, version, StringComparison.Ordinal))
            {
                return candidate;
            }
        }

        if (!PromptVersion.TryParse(version, out var wanted))
        {
            throw new PromptException($"'{version}' is not a valid version for prompt '{name}' (expected e.g. 1.0)", name, version);
        }

        return Array.Find(versions, v => v.Version == wanted)
            ?? throw new PromptException(
                $"prompt '{name}' has no version {version}; available: {string.Join(", ", versions.Select(v => v.Version.Text))}",
                name,
                version);
    }

    private static PromptInfo Info(CompiledPrompt[] versions)
    {
        var latest = Array.FindLast(versions, v => !v.Version.IsPrerelease) ?? versions[^1];
        return new PromptInfo(latest.Name, versions.Select(v => v.Version.Text).ToArray(), latest.Definition.Description, latest.PublicVariables);
    }
}
