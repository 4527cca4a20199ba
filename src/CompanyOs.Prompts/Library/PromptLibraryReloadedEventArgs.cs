using CompanyOs.Prompts.Diagnostics;

namespace CompanyOs.Prompts.Library;

/// <summary>Raised after every reload of a <see cref="PromptLibrary"/>.</summary>
public sealed class PromptLibraryReloadedEventArgs(IReadOnlyList<PromptDiagnostic> errors, int versionCount) : EventArgs
{
    /// <summary>Load errors after this reload (empty when every file is good). Broken files keep their last good version.</summary>
    public IReadOnlyList<PromptDiagnostic> Errors { get; } = errors;

    /// <summary>How many template versions are now available.</summary>
    public int VersionCount { get; } = versionCount;
}
