using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Faults;

namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary>
/// What a run shows while it waits: on a terminal a status line (model or tool, elapsed, the gateway's retries and
/// fallbacks) erased before every step line; with <c>--json</c> one record per retry and fallback; when every provider
/// fails, each provider's failure. Providers are the emulator on 127.0.0.1 with injected faults, reached with API keys
/// set (so they count as real providers, not the built-in emulation).
/// </summary>
public sealed class ProgressTests : IAsyncLifetime, IDisposable
{
    private const string Task = "Use read_file on README.md";
    private readonly CliHarness _cli = new();
    private EmulatorServer _emulator = null!;
    private string _config = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _emulator = await EmulatorServer.StartAsync(new EmulatorOptions(), Ct);
        _config = _cli.CopyConfiguration();
        await File.WriteAllTextAsync(_config, $"""
            default_provider: anthropic
            providers:
              anthropic:
                enabled: true
                api_key: "${"{"}ANTHROPIC_API_KEY{"}"}"
                base_url: "{_emulator.BaseUri}"
                default_model: "claude-3.5-sonnet"
                fallback_provider: openai
                max_retries: 1
              openai:
                enabled: true
                api_key: "${"{"}OPENAI_API_KEY{"}"}"
                base_url: "{_emulator.OpenAIEndpoint}"
                default_model: "gpt-4o"
                max_retries: 1
            retry: {"{"} base_delay_seconds: 0.6, max_delay_seconds: 0.6 {"}"}
            """, Ct);
    }

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    private static string? Keys(string name) => name.EndsWith("_API_KEY", StringComparison.Ordinal) ? "sk-progress-test" : null;

    private async Task<CliResult> Run(bool terminal, Func<string, string?> variables, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(variables, _cli.WorkingDirectory) { OutputIsTerminal = terminal, TerminalWidth = terminal ? 200 : null };
        string[] where = args[0] == "chat" ? ["-c", _config] : ["-c", _config, "--db", _cli.Database];
        var exit = await CompanyOsCli.RunAsync([.. args, .. where], environment, output, error, Ct);
        return new CliResult(exit, output.ToString(), error.ToString());
    }

    private static List<JsonElement> Records(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    /// <summary>
    /// Whether the status line showed the note of the one retry. Its delay is Polly's jittered backoff, anywhere from 0 to the
    /// configured 0.6 s, shown to a tenth of a second: <c>0s</c> when the jitter drew less than 0.05 s (about one retry in 300).
    /// </summary>
    private static bool ShowsTheRetry(string screen) => Regex.IsMatch(screen, @" anthropic: unavailable, retry 1 in 0(\.[1-6])?s · \d+\.\ds");

    private static readonly string[] Frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

    /// <summary>True when some line still shows a status frame after its last erase: a status left on screen when a line was ended.</summary>
    private static bool StatusLeftOnALine(string screen) => screen.Split('\n').Any(line =>
    {
        var erase = line.LastIndexOf("\u001b[2K", StringComparison.Ordinal);
        var visible = erase >= 0 ? line[(erase + 4)..] : line;
        return Frames.Any(f => visible.Contains(f, StringComparison.Ordinal));
    });

    [Fact]
    public async Task Json_shows_each_retry_and_the_fallback_as_records_when_they_happen()
    {
        _emulator.Faults.Enqueue(Fault.Status(503), times: 2, provider: EmulatorProvider.Anthropic);

        var run = await Run(false, Keys, "run", "researcher", Task, "--json");

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        var records = Records(run.Out);
        var types = records.Select(r => r.GetProperty("type").GetString()).ToList();
        var retry = records.Single(r => r.GetProperty("type").GetString() == "retry");
        Assert.Equal("anthropic", retry.GetProperty("provider").GetString());
        Assert.Equal(1, retry.GetProperty("attempt").GetInt32());
        Assert.Equal("unavailable", retry.GetProperty("error").GetString());
        Assert.InRange(retry.GetProperty("delay_ms").GetDouble(), 0, 600);
        Assert.Equal(run.RunId, retry.GetProperty("run_id").GetString());
        var fallback = records.Single(r => r.GetProperty("type").GetString() == "fallback");
        Assert.Equal("anthropic", fallback.GetProperty("provider").GetString());
        Assert.Equal("claude-3-5-sonnet-20241022", fallback.GetProperty("model").GetString());
        Assert.Equal("openai", fallback.GetProperty("to_provider").GetString());
        Assert.Equal("gpt-4o", fallback.GetProperty("to_model").GetString());
        var firstCall = records.FindIndex(r => r.TryGetProperty("event", out var e) && e.GetString() == "LlmCallCompleted");
        Assert.True(types.IndexOf("retry") < types.IndexOf("fallback") && types.IndexOf("fallback") < firstCall, run.Out);
        Assert.Equal("completed", records[^1].GetProperty("status").GetString());
        Assert.DoesNotContain("retry:", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-progress-test", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_every_provider_fails_the_json_result_names_each_providers_failure()
    {
        _emulator.Faults.Enqueue(Fault.Status(503), times: 100);

        var run = await Run(false, Keys, "run", "researcher", Task, "--json");

        Assert.Equal(ExitCodes.RunNotCompleted, run.Exit);
        var records = Records(run.Out);
        Assert.Equal(["retry", "fallback", "retry", "providers_failed"], records.Select(r => r.GetProperty("type").GetString()).Where(t => t is "retry" or "fallback" or "fallback_exhausted" or "providers_failed"));
        var reported = records.Single(r => r.GetProperty("type").GetString() == "providers_failed").GetProperty("failures");
        var result = records[^1];
        Assert.Equal(reported.GetRawText(), result.GetProperty("provider_failures").GetRawText());
        Assert.Equal("failed", result.GetProperty("status").GetString());
        var failures = result.GetProperty("provider_failures").EnumerateArray().ToList();
        Assert.Equal(2, failures.Count);
        Assert.Equal(("anthropic", "claude-3-5-sonnet-20241022", "unavailable", 1), (failures[0].GetProperty("provider").GetString(), failures[0].GetProperty("model").GetString(), failures[0].GetProperty("error").GetString(), failures[0].GetProperty("retries").GetInt32()));
        Assert.Equal(("openai", "gpt-4o", "unavailable", 1), (failures[1].GetProperty("provider").GetString(), failures[1].GetProperty("model").GetString(), failures[1].GetProperty("error").GetString(), failures[1].GetProperty("retries").GetInt32()));
    }

    [Fact]
    public async Task When_every_provider_fails_human_output_and_chat_name_each_providers_failure()
    {
        _emulator.Faults.Enqueue(Fault.Status(503), times: 100);
        const string each = "error: every provider failed: anthropic/claude-3-5-sonnet-20241022: unavailable (after 1 retry); openai/gpt-4o: unavailable (after 1 retry)";

        var run = await Run(false, Keys, "run", "researcher", Task);
        var chat = await Run(false, Keys, "chat", "hello");

        Assert.Equal(ExitCodes.RunNotCompleted, run.Exit);
        Assert.Contains(each, run.Out, StringComparison.Ordinal);
        Assert.Contains("fallback: Falling back from anthropic/claude-3-5-sonnet-20241022 to openai/gpt-4o after unavailable.", run.Err, StringComparison.Ordinal);
        Assert.True(chat.Exit == ExitCodes.ProviderFailed, chat.All);
        Assert.Contains(each, chat.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_terminal_a_status_line_shows_the_model_call_and_the_retry_and_is_erased_before_each_step()
    {
        _emulator.Faults.Enqueue(Fault.Status(503), times: 1, provider: EmulatorProvider.Anthropic);

        var run = await Run(true, Keys, "run", "researcher", Task);

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        Assert.Contains(" model anthropic/claude-3-5-sonnet-20241022 · 0.", run.Out, StringComparison.Ordinal);
        Assert.True(ShowsTheRetry(run.Out), run.Out);
        Assert.Contains("\u001b[2m", run.Out, StringComparison.Ordinal);
        Assert.False(StatusLeftOnALine(run.Out), run.Out);
        Assert.DoesNotContain("retry:", run.Err, StringComparison.Ordinal);
        Assert.Matches(@"\u001b\[2K(\u001b\[[0-9;]*m)*\d\d:\d\d:\d\d(\u001b\[[0-9;]*m)* (\u001b\[[0-9;]*m)*llm", run.Out);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Chat_on_a_terminal_shows_the_retry_in_the_status_line_and_erases_it_before_the_answer(bool stream)
    {
        _emulator.Faults.Enqueue(Fault.Status(503), times: 1, provider: EmulatorProvider.Anthropic);

        var chat = await Run(true, Keys, stream ? ["chat", "hello", "--stream"] : ["chat", "hello"]);

        Assert.True(chat.Exit == ExitCodes.Success, chat.All);
        Assert.Contains(" model anthropic/claude-3-5-sonnet-20241022 · 0.", chat.Out, StringComparison.Ordinal);
        Assert.True(ShowsTheRetry(chat.Out), chat.Out);
        Assert.Contains("\u001b[2KEmulated reply from claude-3-5-sonnet-20241022", chat.Out, StringComparison.Ordinal);
        Assert.False(StatusLeftOnALine(chat.Out), chat.Out);
        Assert.DoesNotContain("retry:", chat.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_color_keeps_the_status_line_without_attributes_and_no_terminal_has_none()
    {
        _emulator.Faults.Enqueue(Fault.Status(503), times: 1, provider: EmulatorProvider.Anthropic);
        var noColor = await Run(true, name => name == "NO_COLOR" ? "1" : Keys(name), "run", "researcher", Task);
        _emulator.Faults.Enqueue(Fault.Status(503), times: 1, provider: EmulatorProvider.Anthropic);
        var piped = await Run(false, Keys, "run", "researcher", Task);

        Assert.True(noColor.Exit == ExitCodes.Success, noColor.All);
        Assert.True(ShowsTheRetry(noColor.Out), noColor.Out);
        Assert.DoesNotContain("\u001b[2m", noColor.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[3", noColor.Out, StringComparison.Ordinal);
        Assert.True(piped.Exit == ExitCodes.Success, piped.All);
        Assert.DoesNotContain("\u001b", piped.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("anthropic: unavailable, retry", piped.Out, StringComparison.Ordinal);
        Assert.Contains("retry: Provider anthropic: retry 1 in ", piped.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_a_pseudo_terminal_the_status_line_shows_the_retry_and_the_run_completes()
    {
        const string script = "/usr/bin/script";
        Assert.True(File.Exists(script), $"{script} (util-linux) is needed for terminal tests");
        _emulator.Faults.Enqueue(Fault.Status(503), times: 1, provider: EmulatorProvider.Anthropic);
        _emulator.Faults.Enqueue(Fault.SlowFirstByte(TimeSpan.FromMilliseconds(700)), times: 1, provider: EmulatorProvider.Anthropic);
        var companyos = Path.Combine(AppContext.BaseDirectory, "companyos");
        var start = new ProcessStartInfo(script)
        {
            WorkingDirectory = _cli.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var command = $"exec '{companyos}' run researcher '{Task}' -c '{_config}' --db '{_cli.Database}'";
        foreach (var arg in new[] { "-q", "-e", "-c", command, "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ANTHROPIC_API_KEY"] = "sk-progress-test";
        start.Environment["OPENAI_API_KEY"] = "sk-progress-test";
        start.Environment["NO_COLOR"] = "1";
        start.Environment["COLUMNS"] = "200";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var screen = process.StandardOutput.ReadToEndAsync(Ct);
        var errors = process.StandardError.ReadToEndAsync(Ct);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var text = await screen + await errors;
        var printable = new string([.. text.Where(c => c is '\n' || !char.IsControl(c))]);
        Assert.True(process.ExitCode == ExitCodes.Success, printable);
        Assert.Contains("model anthropic/claude-3-5-sonnet-20241022 · ", text, StringComparison.Ordinal);
        Assert.True(ShowsTheRetry(text), printable);
        Assert.Contains("completed · run", text, StringComparison.Ordinal);
        Assert.False(StatusLeftOnALine(text.Replace("\r\n", "\n", StringComparison.Ordinal)), printable);
        Assert.DoesNotContain("\u001b[2m", text, StringComparison.Ordinal);
        Assert.DoesNotContain("retry: Provider", text, StringComparison.Ordinal);
    }
}
