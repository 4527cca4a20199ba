using System.Diagnostics;
using System.Net.Sockets;

namespace CompanyOs.Emulator.Tests.Hosting;

/// <summary>The emulator as a program of its own: the executable and <see cref="StandaloneEmulator"/>.</summary>
public sealed class StandaloneEmulatorTests
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(10);

    private static string Executable => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "CompanyOs.Emulator.Host.exe" : "CompanyOs.Emulator.Host");

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task The_executable_stops_on_a_signal_with_exit_0_within_the_bound(string signal)
    {
        // It used to swallow SIGTERM (the web host flagged its lifetime, nothing waited on it) and ran on until kill -9.
        await using var emulator = ChildProcess.Start(Executable, Path.GetTempPath(), "--port", "0");
        await emulator.WaitForOutputAsync("listening on http://127.0.0.1:", StartBound);

        var clock = Stopwatch.StartNew();
        await emulator.SignalAsync(signal);
        var exit = await emulator.WaitForExitAsync(StopBound);

        Assert.True(exit == 0, $"exit {exit}\n{emulator.Out}{emulator.Err}");
        Assert.True(clock.Elapsed < StopBound, $"stopped after {clock.Elapsed}");
        Assert.Contains("CompanyOS provider emulator stopped.", emulator.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Running_in_process_prints_the_base_urls_serves_them_and_stops_with_exit_0_when_cancelled()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = StandaloneEmulator.RunAsync(new EmulatorOptions(), TextWriter.Synchronized(output), TextWriter.Synchronized(error), stop.Token);
        await Poll.UntilAsync(() => output.ToString().Contains("Stop with Ctrl+C", StringComparison.Ordinal) || run.IsCompleted, "the emulator's banner", cancellationToken: TestContext.Current.CancellationToken);

        var banner = output.ToString();
        var root = System.Text.RegularExpressions.Regex.Match(banner, @"listening on (http://127\.0\.0\.1:\d+)/").Groups[1].Value;
        using var http = new HttpClient();
        var models = await http.GetStringAsync(new Uri(root + "/v1/models"), TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        var exit = await run.WaitAsync(StopBound, TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        Assert.Contains("not a real model", banner, StringComparison.Ordinal);
        Assert.Contains($"OpenAI SDKs:    base URL {root}/v1", banner, StringComparison.Ordinal);
        Assert.Contains($"Anthropic SDKs: base URL {root} ", banner, StringComparison.Ordinal);
        Assert.Contains($"Ollama:         {root} ", banner, StringComparison.Ordinal);
        Assert.Contains("gpt-4o", models, StringComparison.Ordinal);
        Assert.Equal(string.Empty, error.ToString());
    }

    [Fact]
    public async Task A_port_in_use_is_exit_2_with_one_error_line_and_no_stack_trace()
    {
        using var taken = new TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await StandaloneEmulator.RunAsync(new EmulatorOptions { Port = port }, output, error, TestContext.Current.CancellationToken)
            .WaitAsync(StartBound, TestContext.Current.CancellationToken);

        Assert.Equal(StandaloneEmulator.CannotStart, exit);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: the emulator cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), line, StringComparison.Ordinal);
    }
}
