namespace CompanyOs.Cli.Hosting;

/// <summary>
/// Finds <c>config/llm.yaml</c>: an explicit path as given; the default relative path is also looked up in parent
/// directories (so the CLI works from any folder of a checkout) and next to the executable.
/// </summary>
internal static class ConfigFileLocator
{
    public const string DefaultPath = "config/llm.yaml";

    public static string Locate(string? requested, string workingDirectory)
    {
        var relative = requested ?? DefaultPath;
        var direct = Path.GetFullPath(relative, workingDirectory);
        if (requested is not null || File.Exists(direct))
        {
            return direct;
        }

        foreach (var start in new[] { workingDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return direct;
    }
}
