using System.Diagnostics;
using CompanyOs.Server.Hosting;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>The server's executable and <see cref="ServerCommandLine"/>, the entry <c>companyos serve</c>/<c>keys</c> share with it.</summary>
public sealed class ServerCommandLineTests
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(10);

    private static string Executable => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "CompanyOs.Server.exe" : "CompanyOs.Server");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_executable_serves_until_SIGTERM_then_exits_0_within_the_bound()
    {
        var config = TestServers.WriteConfig(TestServers.DefaultYaml);
        await using var server = ChildProcess.Start(Executable, Path.GetDirectoryName(config)!, "--config", config, "--emulator", "--urls", "http://127.0.0.1:0");
        await server.WaitForOutputAsync("Stop with Ctrl+C or SIGTERM", StartBound);
        var root = System.Text.RegularExpressions.Regex.Match(server.Out, @"server listening on (http://127\.0\.0\.1:\d+/)").Groups[1].Value;
        using var http = new HttpClient { BaseAddress = new Uri(root) };
        using var health = await http.GetAsync(new Uri("healthz", UriKind.Relative), Ct);

        var clock = Stopwatch.StartNew();
        await server.SignalAsync("TERM");
        var exit = await server.WaitForExitAsync(StopBound);

        Assert.Equal(200, (int)health.StatusCode);
        Assert.True(exit == 0, $"exit {exit}\n{server.Out}\n{server.Err}");
        Assert.True(clock.Elapsed < StopBound, $"stopped after {clock.Elapsed}");
        Assert.Contains("EMULATED: --emulator", server.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_provider_key_is_one_error_line_and_exit_2_without_a_stack_trace()
    {
        var config = TestServers.WriteConfig(TestServers.DefaultYaml);
        await using var server = ChildProcess.Start(Executable, Path.GetDirectoryName(config)!, "--config", config, "--urls", "http://127.0.0.1:0");

        var exit = await server.WaitForExitAsync(StartBound);

        Assert.Equal(ServerCommandLine.CannotStart, exit);
        Assert.Contains("error: the server cannot start: ", server.Err, StringComparison.Ordinal);
        Assert.Contains("providers.anthropic.api_key", server.Err, StringComparison.Ordinal);
        Assert.Contains("COMPANYOS_SERVER_TEST_UNSET_ANTHROPIC", server.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", server.Out + server.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_executable_answers_help_with_its_usage_and_exit_0_without_reading_a_configuration()
    {
        // Run where no configuration exists: before --help was handled, it tried to start and failed on config/llm.yaml.
        var empty = Path.Combine(Path.GetTempPath(), "companyos-server-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(empty);
        await using var server = ChildProcess.Start(Executable, empty, "--help");

        var exit = await server.WaitForExitAsync(StartBound);

        Assert.True(exit == 0, $"exit {exit}\n{server.Out}\n{server.Err}");
        Assert.Contains("usage: CompanyOs.Server", server.Out, StringComparison.Ordinal);
        foreach (var option in new[] { "--config FILE", "--server-config FILE", "--emulator", "--keys-db FILE", "--urls URL", "keys --help" })
        {
            Assert.Contains(option, server.Out, StringComparison.Ordinal);
        }

        Assert.Empty(server.Err);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("create", "--help")]
    public async Task Keys_help_prints_the_keys_usage_to_stdout_and_exits_0(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await ServerCommandLine.RunAsync(["keys", .. args], output, error, Ct);

        Assert.Equal(0, exit);
        Assert.Contains("usage: keys create --org ORG", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(error.ToString());
    }

    [Fact]
    public async Task Keys_with_a_database_that_cannot_be_opened_names_the_file_instead_of_throwing()
    {
        var path = Path.Combine(Path.GetTempPath(), "companyos-server-tests", Guid.NewGuid().ToString("N"), "missing-dir", "keys.db");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await ServerCommandLine.RunAsync(["keys", "list", "--keys-db", path], output, error, Ct);

        Assert.Equal(ServerCommandLine.KeyStoreFailed, exit);
        Assert.StartsWith("keys: ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains($"cannot open the key store (SQLite file '{path}')", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, output.ToString());
    }
}
