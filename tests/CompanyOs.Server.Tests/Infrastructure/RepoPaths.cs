namespace CompanyOs.Server.Tests.Infrastructure;

internal static class RepoPaths
{
    /// <summary>The repository root: the first directory above the test binaries holding <c>CompanyOs.sln</c>.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CompanyOs.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("CompanyOs.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
