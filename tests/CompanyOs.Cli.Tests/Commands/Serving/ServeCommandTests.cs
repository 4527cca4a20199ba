using System.ClientModel;
using System.Diagnostics;
using OpenAI.Chat;
using static CompanyOs.Cli.Tests.Commands.Serving.Serving;

namespace CompanyOs.Cli.Tests.Commands.Serving;

/// <summary><c>companyos serve</c>: the gateway server in the CLI's process, in-process and as a process.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private const string YamlWithUnsetKey = """
        providers:
          anthropic:
            api_key: "${COMPANYOS_CLI_TEST_UNSET_ANTHROPIC}"
            default_model: "claude-3.5-sonnet"
        """;

    private readonly string _dir = TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Serve_as_a_process_answers_the_OpenAI_SDK_and_exits_0_on_a_signal_within_the_bound(string signal)
    {
        // Port 0 and the address read back from the banner: a port probed free beforehand can be taken by another test's
        // process before this child binds it (CI failed once with "address already in use").
        await using var serve = ChildProcess.Start(Companyos, _dir, "serve", "--emulator", "--urls", "http://127.0.0.1:0");
        await serve.WaitForOutputAsync("Stop with Ctrl+C or SIGTERM", StartBound);
        var root = ListeningRoot(serve.Out);

        var answer = await OpenAIChat(root).CompleteChatAsync([new UserChatMessage("Say hello")], cancellationToken: Ct);
        var clock = Stopwatch.StartNew();
        await serve.SignalAsync(signal);
        var exit = await serve.WaitForExitAsync(StopBound);

        Assert.True(exit == 0, $"exit {exit}\n{serve.Out}\n{serve.Err}");
        Assert.True(clock.Elapsed < StopBound, $"stopped after {clock.Elapsed}");
        Assert.False(string.IsNullOrWhiteSpace(answer.Value.Content[0].Text));
        Assert.True(answer.GetRawResponse().Headers.TryGetValue("x-companyos-emulated", out var emulated) && emulated == "true");
        Assert.Contains($"listening on {root}/", serve.Out, StringComparison.Ordinal);
        Assert.Contains($"OpenAI SDKs:    base URL {root}/v1", serve.Out, StringComparison.Ordinal);
        Assert.Contains("EMULATED: --emulator: every provider (anthropic, openai) is answered by the built-in CompanyOS emulator", serve.Err, StringComparison.Ordinal);
        Assert.Contains("CompanyOS gateway server stopped.", serve.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_in_process_takes_keys_from_companyos_keys_and_stops_with_exit_0_when_cancelled()
    {
        var db = Path.Combine(_dir, "keys.db");
        var created = await RunAsync(["keys", "create", "--org", "acme", "--keys-db", db]);
        var key = created.Out.Split(' ', '\n').Single(w => w.StartsWith("cos_", StringComparison.Ordinal) && w.Length > 40);
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var serve = CompanyOsCli.RunAsync(
            ["serve", "--emulator", "--urls", "http://127.0.0.1:0", "--keys-db", db, "--Logging:LogLevel:Default=None"],
            new CliEnvironment(_ => null, _dir), TextWriter.Synchronized(output), TextWriter.Synchronized(error), stop.Token);
        await Poll.UntilAsync(() => output.ToString().Contains("Stop with Ctrl+C", StringComparison.Ordinal) || serve.IsCompleted, "serve's banner", StartBound, Ct);
        var root = ListeningRoot(output.ToString());
        var answer = await OpenAIChat(root, key).CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct);
        var refused = await Assert.ThrowsAsync<ClientResultException>(() => OpenAIChat(root, "cos_not-a-key").CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct));
        await stop.CancelAsync();
        var exit = await serve.WaitAsync(StopBound, Ct);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal("assistant", answer.Value.Role.ToString().ToLowerInvariant());
        Assert.Equal(401, refused.Status);
        Assert.Contains($"API keys: required (key store: SQLite file '{db}')", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("CompanyOS gateway server stopped.", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(key, output.ToString() + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_emulator_a_missing_provider_key_fails_startup_naming_file_key_and_variable_and_never_emulates()
    {
        var config = Path.Combine(_dir, "llm.yaml");
        await File.WriteAllTextAsync(config, YamlWithUnsetKey, Ct);

        var result = await RunAsync(["serve", "-c", config, "--urls", "http://127.0.0.1:0"]);

        Assert.Equal(ExitCodes.BadInput, result.Exit);
        var line = Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: the server cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains(config, line, StringComparison.Ordinal);
        Assert.Contains("providers.anthropic.api_key", line, StringComparison.Ordinal);
        Assert.Contains("COMPANYOS_CLI_TEST_UNSET_ANTHROPIC", line, StringComparison.Ordinal);
        Assert.DoesNotContain("EMULATED", result.Out + result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task As_a_process_a_missing_provider_key_is_exit_2_with_one_error_line_and_no_stack_trace()
    {
        var config = Path.Combine(_dir, "llm.yaml");
        await File.WriteAllTextAsync(config, YamlWithUnsetKey, Ct);
        await using var serve = ChildProcess.Start(Companyos, _dir, "serve", "-c", config, "--urls", "http://127.0.0.1:0");

        var exit = await serve.WaitForExitAsync(StartBound);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("error: the server cannot start: ", serve.Err, StringComparison.Ordinal);
        Assert.Contains("COMPANYOS_CLI_TEST_UNSET_ANTHROPIC", serve.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", serve.Out + serve.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_is_exit_2_naming_the_address()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var result = await RunAsync(["serve", "--emulator", "--urls", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default=None"]);

        Assert.Equal(ExitCodes.BadInput, result.Exit);
        Assert.StartsWith("error: the server cannot start: ", result.Err.Split('\n').Last(l => l.Length > 0), StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--emulater", "error: '--emulater' is not an option of serve; settings go as --Section:Key=value")]
    [InlineData("stray", "error: 'stray' is not an option of serve")]
    public async Task An_unknown_option_is_exit_2_naming_it(string argument, string message)
    {
        var result = await RunAsync(["serve", argument]);

        Assert.Equal(ExitCodes.BadInput, result.Exit);
        Assert.StartsWith(message, result.Err, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Out);
    }

    private async Task<(int Exit, string Out, string Err)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(StartBound);
        var exit = await CompanyOsCli.RunAsync(args, new CliEnvironment(_ => null, _dir), output, error, bound.Token);
        return (exit, output.ToString(), error.ToString());
    }
}
