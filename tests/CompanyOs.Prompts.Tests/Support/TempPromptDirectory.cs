namespace CompanyOs.Prompts.Tests.Support;

/// <summary>A throw-away prompt root under the temp directory, deleted on dispose.</summary>
internal sealed class TempPromptDirectory : IDisposable
{
    public TempPromptDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), "companyos-prompts-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Write(string relativePath, string content)
    {
        var path = PathOf(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string PathOf(string relativePath) => Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));

    public void Delete(string relativePath) => File.Delete(PathOf(relativePath));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a watcher may still hold a handle for a moment; the OS cleans the temp directory.
        }
    }
}
