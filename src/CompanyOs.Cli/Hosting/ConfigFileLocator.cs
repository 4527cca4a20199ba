namespace CompanyOs.Cli.Hosting;

/// <summary>
/// Finds <c>config/llm.yaml</c>: an explicit path as given; the default relative path is also looked up in parent
/// directories (so the CLI works from any folder of a checkout) and next to the executable.
/// </summary>
internal static class ConfigFileLocator
{
    public const string DefaultPath = "config/llm.yaml";

    public static string Locate(string? requested, string workingDirectory) => LocateWithRule(requested, workingDirectory).Path;

    /// <summary>The path and which rule chose it (shown by <c>doctor</c>).</summary>
    public static (string Path, string Rule) LocateWithRule(string? requested, string workingDirectory)
    {
        var relative = requested ?? DefaultPath;
        var direct = Path.GetFullPath(relative, workingDirectory);
        if (requested is not null)
        {
            return (direct, "--config");
        }

        if (File.Exists(direct))
        {
            return (direct, "the working directory");
        }

        foreach (var (start, rule) in new[] { (workingDirectory, "searched upwards from the working directory"), (AppContext.BaseDirectory, "next to the executable") })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate))
                {
                    return (candidate, rule);
                }
            }
        }

        return (direct, "default path, not found here, upwards or next to the executable");
    }
}
