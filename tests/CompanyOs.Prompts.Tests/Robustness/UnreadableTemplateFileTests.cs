using System.Text;
using CompanyOs.Prompts.Diagnostics;
using CompanyOs.Prompts.Library;
using CompanyOs.Prompts.Tests.Support;

namespace CompanyOs.Prompts.Tests.Robustness;

/// <summary>
/// Template files the library must not read whole or decode leniently: a huge file (or a symlink to <c>/dev/zero</c>, which
/// was read until the process died "Out of memory"), and bytes that are not UTF-8. Each is a load diagnostic for its file.
/// </summary>
public sealed class UnreadableTemplateFileTests : IDisposable
{
    private const string Good = "version: \"1.0\"\nsystem: Hello\n";

    private readonly TempPromptDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_file_larger_than_the_limit_is_a_diagnostic_and_the_others_load()
    {
        _dir.Write("researcher/good.yaml", Good);
        var huge = _dir.Write("researcher/huge.yaml", Good + "# " + new string('x', 5 * 1024 * 1024) + "\n");

        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = _dir.Root, FailOnLoadErrors = false });

        var error = Assert.Single(library.LoadErrors);
        Assert.Equal(huge, error.File);
        Assert.Equal(PromptDiagnosticCodes.InvalidYaml, error.Code);
        Assert.Contains("larger than 4 MiB", error.Message, StringComparison.Ordinal);
        Assert.NotNull(library.Find("researcher/good"));
    }

    [Fact]
    public void Symlinked_directories_are_not_entered()
    {
        // Followed, a link to '..' loaded the prompt again under 40 nested names (two such links: an exponential walk that
        // never ended), and a link to a directory elsewhere loaded its YAML as prompts.
        _dir.Write("researcher/good.yaml", Good);
        using var elsewhere = new TempPromptDirectory();
        elsewhere.Write("notes/secret.yaml", Good);
        Directory.CreateSymbolicLink(_dir.PathOf("researcher/up"), "..");
        Directory.CreateSymbolicLink(_dir.PathOf("researcher/elsewhere"), elsewhere.PathOf("notes"));

        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = _dir.Root, FailOnLoadErrors = false });

        Assert.Equal(["researcher/good"], library.List().Select(p => p.Name));
        Assert.Empty(library.LoadErrors);
    }

    [Fact]
    public void A_file_that_is_not_utf8_is_a_diagnostic_naming_the_line()
    {
        var latin1 = _dir.Write("researcher/latin1.yaml", string.Empty);
        File.WriteAllBytes(latin1, [.. Encoding.UTF8.GetBytes("version: \"1.0\"\nsystem: caf"), 0xE9, (byte)'\n']);

        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = _dir.Root, FailOnLoadErrors = false });

        var error = Assert.Single(library.LoadErrors);
        Assert.Equal(latin1, error.File);
        Assert.Contains("not valid UTF-8 (line 2", error.Message, StringComparison.Ordinal);
    }
}
