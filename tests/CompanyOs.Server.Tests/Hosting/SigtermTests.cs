using System.Diagnostics;
using System.Text;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>A real server process receives SIGTERM while 20 streams are open (its provider: an emulator in the test).</summary>
public sealed class SigtermTests
{
    private const int DrainSeconds = 2;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sigterm_during_20_open_streams_ends_each_with_a_clean_end_or_an_error_event_and_the_process_exits_within_the_drain_time()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { ChunkDelay = TimeSpan.FromMilliseconds(100) }, Ct);
        var config = TestServers.WriteConfig($"""
            default_provider: openai
            providers:
              openai:
                api_key: "${"{"}COMPANYOS_SIGTERM_TEST_KEY{"}"}"
                base_url: "{emulator.OpenAIEndpoint}"
                default_model: "gpt-4o"
                max_retries: 0
            circuit_breaker: {"{"} enabled: false {"}"}
            """);
        using var server = StartProcess(config);
        try
        {
            var baseUri = await ServerProcesses.ListeningAddressAsync(server, TimeSpan.FromSeconds(30), Ct);
            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(60) };
            var longStreams = new List<OpenStream>();
            for (var i = 0; i < 20; i++)
            {
                // 200 words at 100 ms each: 20 s, far beyond the drain time. Half speak OpenAI's wire, half Anthropic's.
                emulator.Script.Enqueue(ScriptedTurn.Text(string.Join(' ', Enumerable.Repeat("word", 200))));
                longStreams.Add(await OpenAsync(http, anthropic: i % 2 == 1, $"long stream {i}"));
            }

            var shortStreams = new List<OpenStream>();
            foreach (var anthropic in new[] { false, true })
            {
                emulator.Script.Enqueue(ScriptedTurn.Text("just a few words"));
                shortStreams.Add(await OpenAsync(http, anthropic, "short"));
            }

            var clock = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(Ct);
            }

            using var exitWait = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            exitWait.CancelAfter(TimeSpan.FromSeconds(DrainSeconds + 10));
            await server.WaitForExitAsync(exitWait.Token);
            var exitedAfter = clock.Elapsed;

            Assert.Equal(0, server.ExitCode);
            Assert.True(exitedAfter < TimeSpan.FromSeconds(DrainSeconds + 3), $"exited {exitedAfter.TotalSeconds:0.0} s after SIGTERM");
            foreach (var stream in longStreams)
            {
                var (rest, reset) = await SseStreams.ReadToEndAsync(stream.Reader);
                Assert.True(reset, "a cut stream ended like a complete one");
                Assert.Contains(stream.Anthropic ? "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"The server is shutting down" : "data: {\"error\":{\"message\":\"The server is shutting down", rest, StringComparison.Ordinal);
                Assert.DoesNotContain(stream.Anthropic ? "message_stop" : "[DONE]", rest, StringComparison.Ordinal);
            }

            foreach (var stream in shortStreams)
            {
                var (rest, reset) = await SseStreams.ReadToEndAsync(stream.Reader);
                Assert.False(reset);
                Assert.EndsWith(stream.Anthropic ? "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n" : "data: [DONE]\n\n", rest, StringComparison.Ordinal);
            }

            foreach (var stream in longStreams.Concat(shortStreams))
            {
                stream.Dispose();
            }
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }
        }
    }

    private static Process StartProcess(string config)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(config)!,
        };
        foreach (var arg in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "CompanyOs.Server.dll"), "--urls", "http://127.0.0.1:0", "--contentRoot", Path.GetDirectoryName(config)!,
                     "--config", config, $"--CompanyOs:Server:ShutdownDrainSeconds={DrainSeconds}", "--Logging:LogLevel:Default=Information",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["COMPANYOS_SIGTERM_TEST_KEY"] = "sk-sigterm-test";
        return Process.Start(start)!;
    }

    private static async Task<OpenStream> OpenAsync(HttpClient http, bool anthropic, string text)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, anthropic ? "v1/messages" : "v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"gpt-4o","max_tokens":2000,"stream":true,"messages":[{"role":"user","content":"{{text}}"}]}""", Encoding.UTF8, "application/json"),
        };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(200, (int)response.StatusCode);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        Assert.StartsWith(anthropic ? "event: message_start" : "data: {", await reader.ReadLineAsync(Ct), StringComparison.Ordinal);
        return new OpenStream(response, reader, anthropic);
    }

    private sealed record OpenStream(HttpResponseMessage Response, StreamReader Reader, bool Anthropic) : IDisposable
    {
        public void Dispose()
        {
            Reader.Dispose();
            Response.Dispose();
        }
    }
}
