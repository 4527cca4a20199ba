using System.Text.Json;
using System.Text.RegularExpressions;
using CompanyOs.Agents.Journal;
using CompanyOs.Events.Sqlite;

namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary>
/// Runs <c>companyos</c> in-process like a fresh process each time: no API keys (every provider is emulated), a temp working
/// directory (the repo's config/ and prompts/ are found from the test binary's location) and a temp SQLite file.
/// </summary>
internal sealed partial class CliHarness : IDisposable
{
    public CliHarness()
    {
        WorkingDirectory = Path.Combine(Path.GetTempPath(), $"companyos-cli-runs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(WorkingDirectory);
        Database = Path.Combine(WorkingDirectory, "state", "runs.db");
    }

    public string WorkingDirectory { get; }

    public string Database { get; }

    /// <summary>Lines fed to prompts; null = end of input.</summary>
    public string? Input { get; set; }

    /// <summary>Overrides <see cref="Input"/> with a reader of its own (e.g. one that never answers).</summary>
    public TextReader? InputReader { get; set; }

    public bool InputIsInteractive { get; set; }

    /// <summary>Columns of the pretend terminal human output is laid out for; null = unlimited (a pipe).</summary>
    public int? TerminalWidth { get; set; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Runs a command with <c>--db</c> pointing at this harness's database.</summary>
    public Task<CliResult> Cli(params string[] args) => Raw([.. args, "--db", Database]);

    public async Task<CliResult> Raw(string[] args, TextWriter? output = null, CancellationToken cancellationToken = default)
    {
        output ??= new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(_ => null, WorkingDirectory)
        {
            Input = InputReader ?? (Input is null ? TextReader.Null : new StringReader(Input)),
            InputIsInteractive = InputIsInteractive,
            TerminalWidth = TerminalWidth,
        };
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(Ct, cancellationToken);
        var exit = await CompanyOsCli.RunAsync(args, environment, output, error, linked.Token);
        var result = new CliResult(exit, output.ToString()!, error.ToString());
        output.Dispose();
        return result;
    }

    public async Task<List<(string Type, JsonElement Data)>> EventsAsync(string runId)
    {
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = Database }, cancellationToken: Ct);
        var events = new List<(string, JsonElement)>();
        await foreach (var e in store.ReadStreamAsync(RunEventCodec.StreamId(runId), cancellationToken: Ct))
        {
            events.Add((e.Type, e.Data.Clone()));
        }

        return events;
    }

    public async Task<List<string>> TypesAsync(string runId) => [.. (await EventsAsync(runId)).Select(e => e.Type)];

    public void Dispose()
    {
        try
        {
            Directory.Delete(WorkingDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine must not fail the test; the temp dir is cleaned by the OS.
        }
    }

    /// <summary>Copies the repository's config/ and prompts/ into the working directory (to break them on purpose); returns the llm.yaml path.</summary>
    public string CopyConfiguration()
    {
        var repo = FindRepoRoot();
        foreach (var folder in new[] { "config", "prompts" })
        {
            var source = Path.Combine(repo, folder);
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(WorkingDirectory, folder, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }

        return Path.Combine(WorkingDirectory, "config", "llm.yaml");
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CompanyOs.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }

    [GeneratedRegex("run_[0-9a-f]{32}")]
    internal static partial Regex RunIdPattern();
}
