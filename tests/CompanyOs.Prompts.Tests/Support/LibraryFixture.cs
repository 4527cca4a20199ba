using CompanyOs.Prompts.Library;

namespace CompanyOs.Prompts.Tests.Support;

/// <summary>Builds a library over a temp directory holding the given files.</summary>
internal static class LibraryFixture
{
    public static PromptLibrary Create(TempPromptDirectory dir, params (string Path, string Content)[] files)
    {
        foreach (var (path, content) in files)
        {
            dir.Write(path, content);
        }

        return new PromptLibrary(new PromptLibraryOptions { Directory = dir.Root });
    }

    public static Dictionary<string, object?> Vars(params (string Name, object? Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
}
