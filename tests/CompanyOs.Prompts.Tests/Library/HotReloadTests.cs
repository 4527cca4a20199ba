using CompanyOs.Prompts.Diagnostics;
using CompanyOs.Prompts.Library;
using CompanyOs.Prompts.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static CompanyOs.Prompts.Tests.Support.LibraryFixture;

namespace CompanyOs.Prompts.Tests.Library;

/// <summary>Edits on disk reach the library through the file watcher; waits are polls with a deadline, never fixed sleeps.</summary>
public sealed class HotReloadTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private readonly TempPromptDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Edit_is_picked_up_then_a_broken_edit_keeps_the_last_good_version_then_a_fix_clears_the_error()
    {
        _dir.Write("researcher/greet.yaml", "version: \"1.0\"\nsystem: Hello {{ who }}\nvariables: [who]\n");
        using var library = Watching(TimeProvider.System, TimeSpan.FromMilliseconds(30));
        var reloads = new List<PromptLibraryReloadedEventArgs>();
        library.Reloaded += (_, e) => { lock (reloads) { reloads.Add(e); } };

        _dir.Write("researcher/greet.yaml", "version: \"1.1\"\nsystem: Hi {{ who }}\nvariables: [who]\n");
        Assert.True(await Eventually.TrueAsync(() => Greeting(library) == "Hi Ada", Deadline), "edit not picked up");
        Assert.Equal("1.1", library.Render("researcher/greet", Vars(("who", "Ada"))).Version);

        _dir.Write("researcher/greet.yaml", "version: \"1.2\"\nsystem: |\n  Broken {% if who %}\nvariables: [who]\n");
        Assert.True(await Eventually.TrueAsync(() => library.LoadErrors.Count > 0, Deadline), "broken edit not reported");
        var error = Assert.Single(library.LoadErrors);
        Assert.Equal(PromptDiagnosticCodes.TemplateSyntax, error.Code);
        Assert.Equal(_dir.PathOf("researcher/greet.yaml"), error.File);
        Assert.Equal(3, error.Line);
        Assert.Equal("Hi Ada", Greeting(library));
        Assert.Equal("1.1", library.Render("researcher/greet", Vars(("who", "Ada"))).Version);
        lock (reloads)
        {
            Assert.Contains(reloads, r => r.Errors.Count == 1 && r.VersionCount == 1);
        }

        _dir.Write("researcher/greet.yaml", "version: \"1.2\"\nsystem: Hey {{ who }}\nvariables: [who]\n");
        Assert.True(await Eventually.TrueAsync(() => Greeting(library) == "Hey Ada", Deadline), "fix not picked up");
        Assert.Empty(library.LoadErrors);
    }

    [Fact]
    public async Task Added_and_deleted_files_appear_and_disappear()
    {
        _dir.Write("architect/a.yaml", "version: \"1.0\"\nsystem: a\n");
        using var library = Watching(TimeProvider.System, TimeSpan.FromMilliseconds(30));

        _dir.Write("architect/b@2.0.yaml", "system: b\n");
        Assert.True(await Eventually.TrueAsync(() => library.Find("architect/b") is not null, Deadline), "new file not picked up");
        Assert.Equal("b", library.Render("architect/b", Vars(), "2.0").System);

        _dir.Delete("architect/a.yaml");
        Assert.True(await Eventually.TrueAsync(() => library.Find("architect/a") is null, Deadline), "deletion not picked up");
        var e = Assert.Throws<PromptException>(() => library.Render("architect/a", Vars()));
        Assert.Contains("unknown prompt 'architect/a'", e.Message, StringComparison.Ordinal);
        Assert.Empty(library.LoadErrors);
    }

    [Fact]
    public async Task Reload_waits_for_the_debounce_interval_on_the_injected_clock()
    {
        var time = new FakeTimeProvider();
        _dir.Write("implementer/x.yaml", "version: \"1.0\"\nsystem: one\n");
        using var library = Watching(time, TimeSpan.FromSeconds(5));
        var reloaded = 0;
        library.Reloaded += (_, _) => Interlocked.Increment(ref reloaded);

        _dir.Write("implementer/x.yaml", "version: \"1.0\"\nsystem: two\n");

        // Real file events arrive asynchronously; until 5 s of fake time have passed nothing may reload.
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("one", library.Render("implementer/x", Vars()).System);
        Assert.True(
            await Eventually.TrueAsync(() => Volatile.Read(ref reloaded) > 0, Deadline, () => time.Advance(TimeSpan.FromSeconds(5))),
            "debounced reload never ran");
        Assert.Equal("two", library.Render("implementer/x", Vars()).System);
    }

    [Fact]
    public void Manual_reload_keeps_last_good_and_reports_errors_without_a_watcher()
    {
        _dir.Write("implementer/x.yaml", "version: \"1.0\"\nsystem: one\n");
        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = _dir.Root });

        _dir.Write("implementer/x.yaml", "version: \"1.0\"\nsystem: [not, text]\n");
        var errors = library.Reload();

        var error = Assert.Single(errors);
        Assert.Equal(2, error.Line);
        Assert.Contains("'system' must be text", error.Message, StringComparison.Ordinal);
        Assert.Equal("one", library.Render("implementer/x", Vars()).System);

        _dir.Delete("implementer/x.yaml");
        Assert.Empty(library.Reload());
        Assert.Empty(library.List());
    }

    [Fact]
    public void Broken_file_at_start_is_reported_instead_of_thrown_when_allowed()
    {
        _dir.Write("implementer/good.yaml", "version: \"1.0\"\nsystem: fine\n");
        _dir.Write("implementer/bad.yaml", "version: \"1.0\"\n");

        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = _dir.Root, FailOnLoadErrors = false });

        Assert.Equal("fine", library.Render("implementer/good", Vars()).System);
        Assert.Equal(_dir.PathOf("implementer/bad.yaml"), Assert.Single(library.LoadErrors).File);
        Assert.Null(library.Find("implementer/bad"));
    }

    private PromptLibrary Watching(TimeProvider time, TimeSpan debounce) => new(new PromptLibraryOptions
    {
        Directory = _dir.Root,
        WatchForChanges = true,
        ReloadDebounce = debounce,
        TimeProvider = time,
    });

    private static string? Greeting(PromptLibrary library) => library.Render("researcher/greet", Vars(("who", "Ada"))).System;
}
