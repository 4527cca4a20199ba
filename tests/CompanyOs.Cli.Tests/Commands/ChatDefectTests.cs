using System.Text.Json;
using CompanyOs.Cli.Tests.Commands.Runs;

namespace CompanyOs.Cli.Tests.Commands;

/// <summary>
/// <c>chat</c> as a new user tries it: a fallback to an emulated provider is labelled EMULATED, models go to the provider
/// that serves them, unknown models are refused, and text starting with <c>@</c> is text (files only with <c>--prompt-file</c>).
/// </summary>
public sealed class ChatDefectTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<CliResult> Chat(Func<string, string?> variables, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(variables, _cli.WorkingDirectory) { Input = new StringReader(_stdin ?? string.Empty) };
        var exit = await CompanyOsCli.RunAsync(["chat", .. args], environment, output, error, Ct);
        return new CliResult(exit, output.ToString(), error.ToString());
    }

    private string? _stdin;

    private static string? NoKeys(string name) => null;

    /// <summary>Anthropic has a key but is down (a closed loopback port); it falls back to openai, which has no key: emulated.</summary>
    private async Task<string> ConfigWithRealButDownAnthropicAsync(int retries = 0)
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var path = Path.Combine(_cli.WorkingDirectory, "llm.yaml");
        await File.WriteAllTextAsync(path, $"""
            default_provider: anthropic
            providers:
              anthropic:
                enabled: true
                api_key: "${"{"}ANTHROPIC_API_KEY{"}"}"
                base_url: "http://127.0.0.1:{closedPort}"
                default_model: "claude-3.5-sonnet"
                fallback_provider: openai
                max_retries: {retries}
                timeout_seconds: 5
              openai:
                enabled: true
                api_key: "${"{"}OPENAI_API_KEY{"}"}"
                default_model: "gpt-4o"
            retry: {"{"} base_delay_seconds: 0.05, max_delay_seconds: 0.1 {"}"}
            """, Ct);
        return path;
    }

    private static string? FakeAnthropicKey(string name) => name == "ANTHROPIC_API_KEY" ? "sk-ant-fake" : null;

    [Fact]
    public async Task A_fallback_to_an_emulated_provider_is_marked_emulated_in_json()
    {
        var config = await ConfigWithRealButDownAnthropicAsync();

        var chat = await Chat(FakeAnthropicKey, "hello", "--json", "-c", config);

        Assert.True(chat.Exit == ExitCodes.Success, chat.All);
        using var doc = JsonDocument.Parse(chat.Out);
        Assert.Equal("openai", doc.RootElement.GetProperty("provider").GetString());
        Assert.True(doc.RootElement.GetProperty("emulated").GetBoolean(), chat.Out);
        Assert.StartsWith("Emulated reply from gpt-4o", doc.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("EMULATED: 'anthropic' did not answer; the answer came from 'openai' (fallback)", chat.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-ant-fake", chat.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_fallback_to_an_emulated_provider_is_marked_emulated_in_text(bool stream)
    {
        var config = await ConfigWithRealButDownAnthropicAsync();

        var chat = await Chat(FakeAnthropicKey, stream ? ["hello", "-c", config, "--stream"] : ["hello", "-c", config]);

        Assert.True(chat.Exit == ExitCodes.Success, chat.All);
        Assert.Contains("Emulated reply from gpt-4o", chat.Out, StringComparison.Ordinal);
        Assert.Matches(@"\[openai · gpt-4o · stop · .* · EMULATED\]", chat.Err);
    }

    [Fact]
    public async Task Retries_and_the_fallback_are_reported_as_they_happen()
    {
        var config = await ConfigWithRealButDownAnthropicAsync(retries: 1);

        var chat = await Chat(FakeAnthropicKey, "hello", "-c", config);

        Assert.True(chat.Exit == ExitCodes.Success, chat.All);
        var lines = chat.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var retry = Array.FindIndex(lines, l => l.StartsWith("retry: Provider anthropic: retry 1 in ", StringComparison.Ordinal));
        var fallback = Array.FindIndex(lines, l => l.StartsWith("fallback: Falling back from anthropic/claude-3-5-sonnet-20241022 to openai/gpt-4o after ", StringComparison.Ordinal));
        var answer = Array.FindIndex(lines, l => l.StartsWith("[openai · gpt-4o", StringComparison.Ordinal));
        Assert.True(retry >= 0 && fallback > retry && answer > fallback, chat.Err);
        Assert.DoesNotContain("sk-ant-fake", chat.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_reports_the_fallback_as_it_happens()
    {
        var config = _cli.CopyConfiguration();
        File.Copy(await ConfigWithRealButDownAnthropicAsync(), config, overwrite: true);
        var environment = new CliEnvironment(FakeAnthropicKey, _cli.WorkingDirectory);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CompanyOsCli.RunAsync(["run", "researcher", "Use read_file on README.md", "-c", config, "--db", _cli.Database], environment, output, error, Ct);

        Assert.True(exit == ExitCodes.Success, output + error.ToString());
        Assert.Contains("fallback: Falling back from anthropic/", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("to openai/gpt-4o after ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("llm call 1: openai/gpt-4o", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_goes_to_the_provider_that_serves_it()
    {
        var chat = await Chat(NoKeys, "hello", "-m", "gpt-4o", "--json");

        Assert.True(chat.Exit == ExitCodes.Success, chat.All);
        using var doc = JsonDocument.Parse(chat.Out);
        Assert.Equal("openai", doc.RootElement.GetProperty("provider").GetString());
        Assert.Equal("gpt-4o", doc.RootElement.GetProperty("model").GetString());
        Assert.True(doc.RootElement.GetProperty("cost_usd").GetDecimal() > 0);
        Assert.Contains("'openai' is answered by the built-in CompanyOS emulator", chat.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_model_is_a_routing_error_and_nothing_is_sent()
    {
        var chat = await Chat(NoKeys, "hello", "-m", "nosuch-model");

        Assert.Equal(ExitCodes.BadInput, chat.Exit);
        Assert.StartsWith("error: Unknown model 'nosuch-model': no enabled provider serves it", chat.Err, StringComparison.Ordinal);
        Assert.Empty(chat.Out);
        Assert.DoesNotContain("EMULATED", chat.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_of_another_provider_than_the_one_given_is_refused_naming_both()
    {
        var chat = await Chat(NoKeys, "hello", "-p", "anthropic", "-m", "gpt-4o");

        Assert.Equal(ExitCodes.BadInput, chat.Exit);
        Assert.Contains("error: Model 'gpt-4o' is served by 'openai' (OpenAI), not by 'anthropic' (Anthropic).", chat.Err, StringComparison.Ordinal);
        Assert.Empty(chat.Out);
    }

    [Fact]
    public async Task Text_starting_with_an_at_sign_is_the_prompt_not_a_response_file()
    {
        var chat = await Chat(NoKeys, "@claude hi");

        Assert.True(chat.Exit == ExitCodes.Success, chat.All);
        Assert.Contains("to \"@claude hi\"", chat.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_prompt_comes_from_a_file_or_stdin_when_asked()
    {
        var file = Path.Combine(_cli.WorkingDirectory, "prompt.txt");
        await File.WriteAllTextAsync(file, "explain leases", Ct);
        _stdin = "explain cursors";

        var fromFile = await Chat(NoKeys, "--prompt-file", "prompt.txt");
        var fromStdin = await Chat(NoKeys, "--prompt-file", "-");

        Assert.True(fromFile.Exit == ExitCodes.Success, fromFile.All);
        Assert.Contains("to \"explain leases\"", fromFile.Out, StringComparison.Ordinal);
        Assert.True(fromStdin.Exit == ExitCodes.Success, fromStdin.All);
        Assert.Contains("to \"explain cursors\"", fromStdin.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "x", "--prompt-file", "p.txt" }, "error: give the prompt as an argument or with --prompt-file, not both.")]
    [InlineData(new string[0], "error: the prompt is missing: give it as an argument, or with --prompt-file PATH (- for stdin).")]
    [InlineData(new[] { "--prompt-file", "missing.txt" }, "the prompt cannot be read (no such file).")]
    [InlineData(new[] { "" }, "error: the prompt must not be empty.")]
    public async Task Bad_prompt_input_is_named_and_exits_2(string[] args, string message)
    {
        var chat = await Chat(NoKeys, args);

        Assert.Equal(ExitCodes.BadInput, chat.Exit);
        Assert.Contains(message, chat.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("EMULATED", chat.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_takes_its_task_from_a_file_and_text_starting_with_an_at_sign_as_is()
    {
        var file = Path.Combine(_cli.WorkingDirectory, "task.txt");
        await File.WriteAllTextAsync(file, "Use read_file on README.md", Ct);

        var fromFile = await _cli.Cli("run", "researcher", "--task-file", file);
        var at = await _cli.Cli("run", "researcher", "@team summarise event sourcing");

        Assert.True(fromFile.Exit == ExitCodes.Success, fromFile.All);
        Assert.Contains("run started: researcher — Use read_file on README.md", fromFile.Out, StringComparison.Ordinal);
        Assert.True(at.Exit == ExitCodes.Success, at.All);
        Assert.Contains("run started: researcher — @team summarise event sourcing", at.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_with_an_at_sign_works_as_a_process()
    {
        var chat = await CliProcess.RunAsync(_cli.WorkingDirectory, TimeSpan.FromSeconds(60), "chat", "@claude hi", "-m", "gpt-4o");

        Assert.True(chat.Exit == ExitCodes.Success, chat.All);
        Assert.Contains("Emulated reply from gpt-4o to \"@claude hi\"", chat.Out, StringComparison.Ordinal);
    }
}
