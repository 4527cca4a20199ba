using System.Diagnostics;
using System.Text;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Faults;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>
/// A client that goes away while its call waits for the provider ends the call as cancelled without the server formatting a
/// stack trace with file and line information: that reads the PDBs and keeps System.Reflection.Metadata's readers resident
/// (≈ 1.2 MB), on a path every client disconnect takes (Polly made such a trace for the pipeline that a cancelled first attempt
/// entered). A real server process, read from <c>/proc/PID/maps</c>, so the test process's own assemblies do not count. Its
/// ASP.NET Core request logging is off, as in the benchmarks: with it on, every request has an activity, and HttpClient's own
/// diagnostics then add the cancelled upstream request's exception, stack trace included, to theirs (System.Net.Http's
/// behaviour, not the gateway's).
/// </summary>
public sealed class DisconnectedCallerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_client_disconnecting_during_the_provider_call_makes_the_server_read_no_pdb()
    {
        Assert.True(OperatingSystem.IsLinux(), "reads /proc/PID/maps");
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions(), Ct);
        emulator.Faults.Enqueue(Fault.SlowFirstByte(TimeSpan.FromMinutes(5)));
        var config = TestServers.WriteConfig($"""
            default_provider: openai
            providers:
              openai:
                api_key: "${"{"}COMPANYOS_DISCONNECT_TEST_KEY{"}"}"
                base_url: "{emulator.OpenAIEndpoint}"
                default_model: "gpt-4o"
                timeout_seconds: 600
                max_retries: 2
            """);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(config)! };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "CompanyOs.Server.dll"), "--urls", "http://127.0.0.1:0", "--contentRoot", Path.GetDirectoryName(config)!, "--config", config,
            "--Logging:LogLevel:Microsoft.AspNetCore=Warning" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["COMPANYOS_DISCONNECT_TEST_KEY"] = "sk-disconnect-test";
        using var server = Process.Start(start)!;
        try
        {
            var baseUri = await ServerProcesses.ListeningAddressAsync(server, TimeSpan.FromSeconds(60), Ct);
            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(60) };
            using (var client = new HttpClient { BaseAddress = baseUri })
            using (var gone = CancellationTokenSource.CreateLinkedTokenSource(Ct))
            {
                var call = client.PostAsync("v1/chat/completions", new StringContent(
                    """{"model":"gpt-4o","max_tokens":20,"messages":[{"role":"user","content":"Say hello."}]}""", Encoding.UTF8, "application/json"), gone.Token);
                await Poll.UntilAsync(() => emulator.TotalRequestCount == 1, "the provider call is out", cancellationToken: Ct);
                await gone.CancelAsync(); // closes the connection
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
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

            Assert.Equal(1, emulator.TotalRequestCount); // not retried
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(Ct);
        }
    }
}
