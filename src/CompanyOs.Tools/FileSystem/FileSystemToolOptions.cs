namespace CompanyOs.Tools.FileSystem;

/// <summary>Where <c>read_file</c> and <c>list_dir</c> may look, and how much they return.</summary>
public sealed record FileSystemToolOptions
{
    /// <summary>Directories the tools are confined to. Relative paths from the model resolve against the first one.</summary>
    public IReadOnlyList<string> Roots { get; init; } = [];

    /// <summary>Most bytes of file content returned by one <c>read_file</c> call; longer files are truncated with a marker.</summary>
    public int MaxReadBytes { get; init; } = 256 * 1024;

    /// <summary>Most entries returned by one <c>list_dir</c> call.</summary>
    public int MaxListEntries { get; init; } = 1000;
}
