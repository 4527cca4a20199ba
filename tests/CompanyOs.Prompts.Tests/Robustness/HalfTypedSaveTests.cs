using CompanyOs.Prompts.Diagnostics;
using CompanyOs.Prompts.Library;
using CompanyOs.Prompts.Linting;
using CompanyOs.Prompts.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static CompanyOs.Prompts.Tests.Support.LibraryFixture;

namespace CompanyOs.Prompts.Tests.Robustness;

/// <summary>
/// A template saved mid-edit (<c>variables: [</c> and a newline above the rest of the file) makes YamlDotNet's scanner throw
/// <see cref="InvalidOperationException"/>, not a <c>YamlException</c>. Every entry point must turn that into a diagnostic.
/// </summary>
public sealed class HalfTypedSaveTests : IDisposable
{
    private const string Good = "version: \"1.0\"\nsystem: Hello {{ who }}\nvariables: [who]\n";

    /// <summary>The editor's state after typing <c>variables: [</c> and Enter above the system text.</summary>
    private const string HalfTyped = "version: \"1.0\"\nvariables: [\nsystem: |\n  Hello {{ who }}\n";

    private readonly TempPromptDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Linting_the_text_reports_invalid_yaml_with_file_and_line()
    {
        var file = _dir.PathOf("researcher/greet.yaml");

        var diagnostics = new PromptLinter().LintText(_dir.Root, file, HalfTyped);

        var error = Assert.Single(diagnostics);
        AssertInvalidYaml(error, file);
    }

    [Fact]
    public void Linting_the_directory_reports_it_next_to_the_good_files()
    {
        _dir.Write("researcher/good.yaml", Good);
        var file = _dir.Write("researcher/greet.yaml", HalfTyped);

        var diagnostics = new PromptLinter().LintDirectory(_dir.Root);

        AssertInvalidYaml(Assert.Single(diagnostics), file);
    }

    [Fact]
    public void The_library_constructor_reports_it_instead_of_crashing()
    {
        _dir.Write("researcher/good.yaml", Good);
        var file = _dir.Write("researcher/greet.yaml", HalfTyped);

        var e = Assert.Throws<PromptException>(() => new PromptLibrary(new PromptLibraryOptions { Directory = _dir.Root }));
        AssertInvalidYaml(Assert.Single(e.Diagnostics), file);
        Assert.Equal(file, e.File);

        using var tolerant = new PromptLibrary(new PromptLibraryOptions { Directory = _dir.Root, FailOnLoadErrors = false });
        AssertInvalidYaml(Assert.Single(tolerant.LoadErrors), file);
        Assert.Equal("Hello Ada", tolerant.Render("researcher/good", Vars(("who", "Ada"))).System);
    }

    [Fact]
    public async Task Hot_reload_keeps_the_last_good_version_and_reports_it()
    {
        // The debounce timer runs on the fake clock, so the reload happens inside Advance on this thread: an exception
        // that would have ended the process on a timer thread surfaces here instead.
        var time = new FakeTimeProvider();
        var file = _dir.Write("researcher/greet.yaml", Good);
        using var library = new PromptLibrary(new PromptLibraryOptions
        {
            Directory = _dir.Root,
            WatchForChanges = true,
            ReloadDebounce = TimeSpan.FromMilliseconds(50),
            TimeProvider = time,
        });
        var reports = new List<PromptLibraryReloadedEventArgs>();
        library.Reloaded += (_, e) => { lock (reports) { reports.Add(e); } };

        _dir.Write("researcher/greet.yaml", HalfTyped);
        var reported = await Eventually.TrueAsync(
            () => library.LoadErrors.Count > 0,
            TimeSpan.FromSeconds(15),
            () => time.Advance(TimeSpan.FromMilliseconds(100)));

        Assert.True(reported, "the broken save was never reported");
        AssertInvalidYaml(Assert.Single(library.LoadErrors), file);
        Assert.Equal("Hello Ada", library.Render("researcher/greet", Vars(("who", "Ada"))).System);
        lock (reports)
        {
            Assert.Contains(reports, r => r.Errors.Count == 1 && r.VersionCount == 1);
        }
    }

    [Fact]
    public void A_reload_that_fails_for_any_reason_keeps_the_library_serving_and_is_reported()
    {
        // A Reloaded handler is user code; when it throws on the watcher's timer thread the host must survive.
        var time = new FakeTimeProvider();
        _dir.Write("researcher/greet.yaml", Good);
        using var library = new PromptLibrary(new PromptLibraryOptions
        {
            Directory = _dir.Root,
            WatchForChanges = true,
            ReloadDebounce = TimeSpan.FromMilliseconds(50),
            TimeProvider = time,
        });
        var calls = 0;
        library.Reloaded += (_, _) =>
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("handler bug");
        };

        _dir.Write("researcher/greet.yaml", Good.Replace("Hello", "Hi", StringComparison.Ordinal));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (Volatile.Read(ref calls) == 0 && DateTime.UtcNow < deadline)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            Thread.Sleep(20);
        }

        Assert.True(Volatile.Read(ref calls) > 0, "the reload never ran");
        Assert.Equal("Hi Ada", library.Render("researcher/greet", Vars(("who", "Ada"))).System);
    }

    private static void AssertInvalidYaml(PromptDiagnostic error, string file)
    {
        Assert.Equal(PromptDiagnosticCodes.InvalidYaml, error.Code);
        Assert.Equal(PromptDiagnosticSeverity.Error, error.Severity);
        Assert.Equal(file, error.File);
        Assert.InRange(error.Line, 2, 4);
        Assert.Contains("invalid YAML", error.Message, StringComparison.Ordinal);
    }
}
