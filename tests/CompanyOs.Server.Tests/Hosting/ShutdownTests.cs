using System.Diagnostics;
using CompanyOs.Emulator;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Hosting;

public sealed class ShutdownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stopping_with_20_open_streams_ends_each_with_an_error_event_within_the_drain_time_and_lets_short_ones_finish()
    {
        var server = await TestServers.StartAsync(
            emulatorOptions: new EmulatorOptions { ChunkDelay = TimeSpan.FromMilliseconds(100) },
            // A 2 s drain: the short stream needs ≈ 0.3 s of it, with room for a loaded CI machine (1 s flaked there once).
            extraArgs: "--CompanyOs:Server:ShutdownDrainSeconds=2");
        using var http = TestServers.Http(server);
        var longStreams = new List<(HttpResponseMessage Response, StreamReader Reader)>();
        for (var i = 0; i < 20; i++)
        {
            // 200 words at 100 ms each: 20 s, far beyond the 2 s drain.
            server.Emulator!.Script.Enqueue(Emulator.Scripting.ScriptedTurn.Text(string.Join(' ', Enumerable.Repeat("word", 200))));
            longStreams.Add(await OpenAsync(http, $"stream {i}"));
        }

        server.Emulator!.Script.Enqueue(Emulator.Scripting.ScriptedTurn.Text("just three words"));
        var shortStream = await OpenAsync(http, "short");
        var clock = Stopwatch.StartNew();
        await server.DisposeAsync();
        var stopped = clock.Elapsed;

        Assert.True(stopped < TimeSpan.FromSeconds(6), $"stopped after {stopped}");
        foreach (var (response, reader) in longStreams)
        {
            var (rest, reset) = await SseStreams.ReadToEndAsync(reader);
            Assert.True(reset);
            Assert.Contains("data: {\"error\":{\"message\":\"The server is shutting down", rest, StringComparison.Ordinal);
            Assert.DoesNotContain("[DONE]", rest, StringComparison.Ordinal);
            response.Dispose();
        }

        var shortRest = await shortStream.Reader.ReadToEndAsync(Ct);
        Assert.EndsWith("data: [DONE]\n\n", shortRest, StringComparison.Ordinal);
        shortStream.Response.Dispose();
    }

    private static async Task<(HttpResponseMessage Response, StreamReader Reader)> OpenAsync(HttpClient http, string text)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"{{text}}"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(200, (int)response.StatusCode);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        Assert.StartsWith("data: {", await reader.ReadLineAsync(Ct), StringComparison.Ordinal);
        return (response, reader);
    }
}
