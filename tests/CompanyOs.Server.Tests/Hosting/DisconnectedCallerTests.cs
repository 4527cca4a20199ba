using System.Diagnostics;
using System.Text;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Faults;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>
/// A client that goes away while its call waits — for the provider, for a retry, or before it reached the provider — ends the call as cancelled without the
/// server formatting a stack trace with file and line information: that reads the PDBs and keeps System.Reflection.Metadata's
/// readers resident (≈ 1.2 MB), on a path every client disconnect takes (Polly makes such a trace for a pipeline entered with
/// a cancelled token). A real server process, read from <c>/proc/PID/maps</c>, so the test process's own assemblies do not
/// count. Its ASP.NET Core request logging is off, as in the benchmarks: with it on, every request has an activity, and
/// HttpClient's own diagnostics then add the cancelled upstream request's exception, stack trace included, to theirs
/// (System.Net.Http's behaviour, not the gateway's).
/// </summary>
public sealed class DisconnectedCallerTests
{
    private const string Request = """{"model":"gpt-4o","max_tokens":20,"messages":[{"role":"user","content":"Say hello."}]}""";
    private const string StreamedRequest = """{"model":"gpt-4o","max_tokens":20,"stream":true,"messages":[{"role":"user","content":"Say hello."}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private enum GoneDuring
    {
        /// <summary>The first attempt is out (the provider is slow to answer).</summary>
        ProviderCall,

        /// <summary>The provider answered 429 with <c>Retry-After: 30</c>: the server waits to retry.</summary>
        RetryWait,

        /// <summary>
        /// The budget stage's reservation, in a Redis the test holds stopped: the call reaches the resilience stage only after the
        /// client is gone (Redis commands take no cancellation token), and never reaches the provider.
        /// </summary>
        BudgetReservation,

        /// <summary>The provider's limit of one request a minute, taken by an earlier call: the call waits for a permit.</summary>
        PermitWait,
    }

    [Fact]
    public Task A_client_disconnecting_during_the_provider_call_makes_the_server_read_no_pdb() =>
        DisconnectAsync(GoneDuring.ProviderCall, Request);

    [Fact]
    public Task A_client_disconnecting_while_its_stream_waits_for_the_provider_makes_the_server_read_no_pdb() =>
        DisconnectAsync(GoneDuring.ProviderCall, StreamedRequest);

    [Fact]
    public Task A_client_disconnecting_during_a_retry_wait_makes_the_server_read_no_pdb() =>
        DisconnectAsync(GoneDuring.RetryWait, Request);

    [Fact]
    public Task A_client_disconnecting_during_a_retry_wait_of_its_stream_makes_the_server_read_no_pdb() =>
        DisconnectAsync(GoneDuring.RetryWait, StreamedRequest);

    [Fact]
    public Task A_client_gone_before_its_call_reaches_the_provider_makes_the_server_read_no_pdb() =>
        DisconnectAsync(GoneDuring.BudgetReservation, Request);

    [Fact]
    public Task A_client_gone_before_its_stream_reaches_the_provider_makes_the_server_read_no_pdb() =>
        DisconnectAsync(GoneDuring.BudgetReservation, StreamedRequest);

    [Fact]
    public Task A_client_disconnecting_during_a_rate_limit_wait_makes_the_server_read_no_pdb() =>
        DisconnectAsync(GoneDuring.PermitWait, Request);

    [Fact]
    public Task A_client_disconnecting_during_a_rate_limit_wait_of_its_stream_makes_the_server_read_no_pdb() =>
        DisconnectAsync(GoneDuring.PermitWait, StreamedRequest);

    /// <summary>One call (<paramref name="body"/>) whose client goes away at <paramref name="gone"/>.</summary>
    private static async Task DisconnectAsync(GoneDuring gone, string body)
    {
        Assert.True(OperatingSystem.IsLinux(), "reads /proc/PID/maps");
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions(), Ct);
        var warmUp = gone is GoneDuring.BudgetReservation or GoneDuring.PermitWait;
        if (!warmUp)
        {
            emulator.Faults.Enqueue(gone == GoneDuring.RetryWait ? Fault.RateLimited(TimeSpan.FromSeconds(30)) : Fault.SlowFirstByte(TimeSpan.FromMinutes(5)));
        }

        using var redis = gone == GoneDuring.BudgetReservation ? await PrivateRedis.StartAsync() : null;
        var config = TestServers.WriteConfig($"""
            default_provider: openai
            providers:
              openai:
                api_key: "${"{"}COMPANYOS_DISCONNECT_TEST_KEY{"}"}"
                base_url: "{emulator.OpenAIEndpoint}"
                default_model: "gpt-4o"
                timeout_seconds: 600
                max_retries: 2
                {(gone == GoneDuring.PermitWait ? "rate_limit_rpm: 1" : "")}
            {(redis is null ? "" : "budgets: { default_org: { usd: 10 } }")}
            """);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(config)! };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "CompanyOs.Server.dll"), "--urls", "http://127.0.0.1:0", "--contentRoot", Path.GetDirectoryName(config)!, "--config", config,
            "--Logging:LogLevel:Microsoft.AspNetCore=Warning" }.Concat(redis is null ? [] : [$"--CompanyOs:Server:Redis={redis.Configuration},syncTimeout=60000,asyncTimeout=60000"]))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["COMPANYOS_DISCONNECT_TEST_KEY"] = "sk-disconnect-test";
        using var server = Process.Start(start)!;
        try
        {
            var output = new ServerOutput();
            var baseUri = await ServerProcesses.ListeningAddressAsync(server, TimeSpan.FromSeconds(60), Ct, output.Add);
            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(60) };
            using (var client = new HttpClient { BaseAddress = baseUri })
            using (var leaving = CancellationTokenSource.CreateLinkedTokenSource(Ct))
            {
                if (warmUp)
                {
                    // One call answered first (with a limit, the one permit of the minute): the server's first call compiles the
                    // whole path, which on a loaded machine can take longer than the wait below for the call to get where it waits.
                    using var warm = await http.PostAsync("v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
                    Assert.Equal(200, (int)warm.StatusCode);
                    await warm.Content.ReadAsStringAsync(Ct);
                }

                if (redis is not null)
                {
                    await redis.FreezeAsync();
                }

                var call = client.SendAsync(
                    new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") },
                    HttpCompletionOption.ResponseHeadersRead, leaving.Token);
                switch (gone)
                {
                    case GoneDuring.ProviderCall:
                        await Poll.UntilAsync(() => emulator.TotalRequestCount == 1, "the provider call is out", cancellationToken: Ct);
                        break;
                    case GoneDuring.RetryWait:
                        await Poll.UntilAsync(() => output.Contains("Provider openai: retry 1 in"), "the server waits to retry", cancellationToken: Ct);
                        break;
                    default:
                        await Task.Delay(TimeSpan.FromSeconds(1), Ct); // the request reaches the reservation or the permit wait
                        break;
                }

                await leaving.CancelAsync(); // closes the connection
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
                if (redis is not null)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), Ct); // the server sees the connection closed
                    await redis.ThawAsync();
                }
            }

            // The call is counted once every stage has ended it, the resilience stage included.
            await Poll.UntilAsync(async () => (await http.GetStringAsync(new Uri("metrics", UriKind.Relative), Ct)).Contains("error_type=\"cancelled\"", StringComparison.Ordinal),
                "the call ended as cancelled", cancellationToken: Ct);

            var maps = await File.ReadAllTextAsync($"/proc/{server.Id}/maps", Ct);
            Assert.Contains("CompanyOs.Llm.dll", maps, StringComparison.Ordinal); // the check sees the server's assemblies
            foreach (var unused in new[] { "System.Reflection.Metadata.dll", "System.Diagnostics.StackTrace.dll", ".pdb" })
            {
                Assert.False(maps.Contains(unused, StringComparison.Ordinal), $"{unused} is mapped");
            }

            Assert.Equal(1, emulator.TotalRequestCount); // not retried (held before the provider: not sent, the one is the first call's)
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(Ct);
        }
    }

    /// <summary>The lines the server printed, collected as they come.</summary>
    private sealed class ServerOutput
    {
        private readonly StringBuilder _lines = new();

        public void Add(string line)
        {
            lock (_lines)
            {
                _lines.AppendLine(line);
            }
        }

        public bool Contains(string text)
        {
            lock (_lines)
            {
                return _lines.ToString().Contains(text, StringComparison.Ordinal);
            }
        }
    }
}
