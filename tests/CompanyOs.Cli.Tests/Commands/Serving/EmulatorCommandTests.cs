using System.Diagnostics;
using OpenAI.Chat;
using static CompanyOs.Cli.Tests.Commands.Serving.Serving;

namespace CompanyOs.Cli.Tests.Commands.Serving;

/// <summary><c>companyos emulator</c>: the provider emulator on its own.</summary>
public sealed class EmulatorCommandTests : IDisposable
{
    private readonly string _dir = TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task As_a_process_it_says_it_is_an_emulator_prints_the_base_urls_answers_and_exits_0_on_a_signal(string signal)
    {
        // Port 0 and the address read back from the banner: a port probed free beforehand can be taken by another test's
        // process before this child binds it.
        await using var emulator = ChildProcess.Start(Companyos, _dir, "emulator", "--port", "0", "--chunk-delay-ms", "1");
        await emulator.WaitForOutputAsync("Stop with Ctrl+C or SIGTERM.", StartBound);
        var root = ListeningRoot(emulator.Out);

        var answer = await OpenAIChat(root).CompleteChatAsync([new UserChatMessage("Say hello")], cancellationToken: Ct);
        var clock = Stopwatch.StartNew();
        await emulator.SignalAsync(signal);
        var exit = await emulator.WaitForExitAsync(StopBound);

        Assert.True(exit == 0, $"exit {exit}\n{emulator.Out}\n{emulator.Err}");
        Assert.True(clock.Elapsed < StopBound, $"stopped after {clock.Elapsed}");
        Assert.False(string.IsNullOrWhiteSpace(answer.Value.Content[0].Text));
        Assert.Contains($"CompanyOS provider EMULATOR listening on {root}/", emulator.Out, StringComparison.Ordinal);
        Assert.Contains("not a real model", emulator.Out, StringComparison.Ordinal);
        Assert.Contains($"OpenAI SDKs:    base URL {root}/v1", emulator.Out, StringComparison.Ordinal);
        Assert.Contains($"Anthropic SDKs: base URL {root} ", emulator.Out, StringComparison.Ordinal);
        Assert.Contains($"Ollama:         {root} ", emulator.Out, StringComparison.Ordinal);
        Assert.Contains("CompanyOS provider emulator stopped.", emulator.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_process_it_requires_the_given_api_key_and_stops_with_exit_0_when_cancelled()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = CompanyOsCli.RunAsync(["emulator", "--api-key", "sk-emulated"], new CliEnvironment(_ => null, _dir),
            TextWriter.Synchronized(output), TextWriter.Synchronized(error), stop.Token);
        await Poll.UntilAsync(() => output.ToString().Contains("Stop with Ctrl+C", StringComparison.Ordinal) || run.IsCompleted, "the emulator's banner", StartBound, Ct);
        var root = ListeningRoot(output.ToString());

        var answer = await OpenAIChat(root, "sk-emulated").CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct);
        var refused = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(
            () => OpenAIChat(root, "sk-wrong").CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct));
        await stop.CancelAsync();
        var exit = await run.WaitAsync(StopBound, Ct);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.False(string.IsNullOrWhiteSpace(answer.Value.Content[0].Text));
        Assert.Equal(401, refused.Status);
        Assert.Contains("Requests must carry the API key given with --api-key", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sk-emulated", output.ToString() + error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--port", "70000" }, "error: --port '70000' is not a whole number from 0 to 65535.")]
    [InlineData(new[] { "--port", "abc" }, "error: --port 'abc' is not a whole number from 0 to 65535.")]
    [InlineData(new[] { "--chunk-delay-ms", "-1" }, "error: --chunk-delay-ms '-1' is not a whole number from 0 to 2147483647.")]
    [InlineData(new[] { "--bogus" }, "error: Unrecognized command or argument '--bogus'.")]
    public async Task Bad_options_are_exit_2_naming_the_option_and_value(string[] args, string message)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CompanyOsCli.RunAsync(["emulator", .. args], new CliEnvironment(_ => null, _dir), output, error, Ct);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.StartsWith(message, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, output.ToString());
    }
}
