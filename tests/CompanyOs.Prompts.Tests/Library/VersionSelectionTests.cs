using CompanyOs.Prompts.Tests.Support;
using static CompanyOs.Prompts.Tests.Support.LibraryFixture;

namespace CompanyOs.Prompts.Tests.Library;

public sealed class VersionSelectionTests : IDisposable
{
    private readonly TempPromptDirectory _dir = new();
    private readonly Prompts.Library.PromptLibrary _library;

    public VersionSelectionTests() => _library = Create(
        _dir,
        ("architect/review.yaml", "version: \"1.10\"\nsystem: ten\n"),
        ("architect/review@1.9.yaml", "version: \"1.9\"\nsystem: nine\n"),
        ("architect/review@1.2.yaml", "system: two {{ extra }}\nvariables: [extra]\n"),
        ("architect/review@2.0-beta.yaml", "system: beta\n"));

    public void Dispose()
    {
        _library.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Lists_versions_in_semantic_order()
    {
        var info = Assert.Single(_library.List());

        Assert.Equal(["1.2", "1.9", "1.10", "2.0-beta"], info.Versions);
    }

    [Fact]
    public void Latest_is_the_highest_release_not_a_prerelease()
    {
        var rendered = _library.Render("architect/review", Vars());

        Assert.Equal("1.10", rendered.Version);
        Assert.Equal("ten", rendered.System);
    }

    [Theory]
    [InlineData("1.9", "nine")]
    [InlineData("2.0-beta", "beta")]
    [InlineData("1.10.0", "ten")]
    public void Pinned_version_is_rendered_and_carried(string version, string expected)
    {
        var rendered = _library.Render("architect/review", Vars(), version);

        Assert.Equal(expected, rendered.System);
        Assert.Equal("architect/review", rendered.Name);
    }

    [Fact]
    public void Version_from_the_file_name_only_and_its_own_variables()
    {
        var rendered = _library.Render("architect/review", Vars(("extra", "x")), "1.2");

        Assert.Equal("1.2", rendered.Version);
        Assert.Equal("two x", rendered.System);
        Assert.Throws<PromptException>(() => _library.Render("architect/review", Vars(("extra", "x"))));
    }

    [Fact]
    public void Unknown_version_lists_the_available_ones()
    {
        var e = Assert.Throws<PromptException>(() => _library.Render("architect/review", Vars(), "3.0"));

        Assert.Equal("3.0", e.Version);
        Assert.Contains("has no version 3.0; available: 1.2, 1.9, 1.10, 2.0-beta", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_version_string_is_rejected()
    {
        var e = Assert.Throws<PromptException>(() => _library.Render("architect/review", Vars(), "latest"));

        Assert.Contains("'latest' is not a valid version", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_prereleases_means_the_highest_prerelease_is_latest()
    {
        using var dir = new TempPromptDirectory();
        using var library = Create(dir, ("architect/new@0.1-alpha.yaml", "system: a\n"), ("architect/new@0.1-beta.yaml", "system: b\n"));

        Assert.Equal("0.1-beta", library.Render("architect/new", Vars()).Version);
    }
}
