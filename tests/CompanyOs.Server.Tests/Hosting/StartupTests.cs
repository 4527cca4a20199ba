using CompanyOs.Server.Hosting;
using CompanyOs.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CompanyOs.Server.Tests.Hosting;

public sealed class StartupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_emulator_an_enabled_provider_lacking_its_key_fails_startup_naming_file_key_and_variable()
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServers.StartAsync(emulator: false));

        Assert.Contains("llm.yaml", e.Message, StringComparison.Ordinal);
        Assert.Contains("providers.anthropic.api_key", e.Message, StringComparison.Ordinal);
        Assert.Contains("COMPANYOS_SERVER_TEST_UNSET_ANTHROPIC", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Emulator_mode_starts_and_marks_every_response_as_emulated()
    {
        await using var server = await TestServers.StartAsync();
        using var http = TestServers.Http(server);

        using var health = await http.GetAsync(new Uri("healthz", UriKind.Relative), Ct);
        using var ready = await http.GetAsync(new Uri("readyz", UriKind.Relative), Ct);
        using var missing = await http.GetAsync(new Uri("nothing-here", UriKind.Relative), Ct);

        Assert.Equal(200, (int)health.StatusCode);
        Assert.Equal(200, (int)ready.StatusCode);
        Assert.Contains("\"providers\":{\"anthropic\":", await ready.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.All([health, ready, missing], r => Assert.Equal("true", Assert.Single(r.Headers.GetValues("x-companyos-emulated"))));
        Assert.Equal("127.0.0.1", server.BaseUri.Host);
    }

    [Fact]
    public async Task The_host_does_not_watch_its_content_root_for_configuration_changes_unless_told_to()
    {
        // A watcher over the content root woke on every write of a SQLite store there (keys.db-wal): once per call.
        await using var server = await TestServers.StartAsync();
        await using var watching = await TestServers.StartAsync(extraArgs: "--hostBuilder:reloadConfigOnChange=true");

        Assert.All(FileSources(server), s => Assert.False(s.ReloadOnChange, s.Path));
        Assert.NotEmpty(FileSources(server)); // appsettings.json and appsettings.{Environment}.json, optional, read once
        Assert.All(FileSources(watching), s => Assert.True(s.ReloadOnChange, s.Path));
    }

    [Fact]
    public async Task Kestrel_runs_requests_on_the_thread_that_read_them_and_the_executable_leaves_socket_completions_to_the_runtime()
    {
        // The server used to set DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 for itself; the runtime's default (completions
        // on the thread pool) gave lower added latency at c=1 and a lower p99 at c=32 (docs/benchmarks.md, issue 17, twelfth
        // session). An operator may still set the variable; the server must not.
        const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
        await using var server = await TestServers.StartAsync();
        var previous = Environment.GetEnvironmentVariable(InlineCompletions);
        try
        {
            Environment.SetEnvironmentVariable(InlineCompletions, null);
            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync();

            // A cancelled token: the command line prepares the process, then returns before it serves.
            await ServerCommandLine.ServeAsync(["--emulator", "--urls", "http://127.0.0.1:0"], TextWriter.Null, TextWriter.Null, cancelled.Token);

            Assert.Null(Environment.GetEnvironmentVariable(InlineCompletions));
        }
        finally
        {
            Environment.SetEnvironmentVariable(InlineCompletions, previous);
        }

        Assert.True(server.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
    }

    private static List<FileConfigurationSource> FileSources(GatewayServer server) =>
    [
        .. ((IConfigurationRoot)server.Services.GetRequiredService<IConfiguration>())
            .Providers.OfType<FileConfigurationProvider>().Select(p => p.Source)
            .Where(s => s.Path?.StartsWith("appsettings", StringComparison.Ordinal) == true),
    ];

    [Fact]
    public async Task Metrics_expose_gateway_counters_by_provider_model_and_org_in_prometheus_format()
    {
        // Meters are process-wide and other tests run gateways in parallel: a unique org tells this server's calls apart.
        var org = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        await using var server = await TestServers.StartAsync(extraArgs: $"--CompanyOs:Server:DefaultOrg={org}");
        using var http = TestServers.Http(server);
        using var call = await http.PostJsonAsync("v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(200, (int)call.StatusCode);

        using var metrics = await http.GetAsync(new Uri("metrics", UriKind.Relative), Ct);
        var text = await metrics.Content.ReadAsStringAsync(Ct);

        Assert.Equal(200, (int)metrics.StatusCode);
        var requests = text.Split('\n').Single(l => l.StartsWith("companyos_llm_requests", StringComparison.Ordinal)
                                                    && l.Contains($"companyos_org=\"{org}\"", StringComparison.Ordinal));
        Assert.Contains("gen_ai_provider_name=\"openai\"", requests, StringComparison.Ordinal);
        Assert.EndsWith(" 1", requests.Split(" # ")[0].TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_emulator_responses_are_not_marked_emulated()
    {
        const string yaml = """
            providers:
              openai:
                api_key: "sk-not-used"
                base_url: "http://127.0.0.1:9/v1"
                default_model: "gpt-4o"
            """;
        await using var server = await TestServers.StartAsync(yaml, emulator: false);
        using var http = TestServers.Http(server);

        using var health = await http.GetAsync(new Uri("healthz", UriKind.Relative), Ct);

        Assert.Equal(200, (int)health.StatusCode);
        Assert.False(health.Headers.Contains("x-companyos-emulated"));
        Assert.Null(server.Emulator);
    }

    [Theory]
    [InlineData("MaxRequestBodyBytes", "lots")]
    [InlineData("ShutdownDrainSeconds", "0")]
    [InlineData("Emulator", "maybe")]
    public async Task A_bad_server_setting_fails_startup_naming_the_key(string key, string value)
    {
        var e = await Assert.ThrowsAsync<CompanyOs.Configuration.ConfigurationException>(
            () => TestServers.StartAsync(emulator: false, extraArgs: $"--CompanyOs:Server:{key}={value}"));

        Assert.Contains($"CompanyOs:Server:{key}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unopenable_key_database_fails_startup_naming_the_key_and_file()
    {
        var path = Path.Combine(Path.GetTempPath(), "companyos-server-tests", Guid.NewGuid().ToString("N"), "missing-dir", "keys.db");

        var e = await Assert.ThrowsAsync<CompanyOs.Configuration.ConfigurationException>(() => TestServers.StartAsync(extraArgs: ["--keys-db", path]));

        Assert.Contains("CompanyOs:Server:KeysDatabase", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }
}
