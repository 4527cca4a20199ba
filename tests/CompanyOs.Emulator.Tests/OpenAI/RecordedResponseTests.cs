using System.Text;

namespace CompanyOs.Emulator.Tests.OpenAI;

/// <summary>The request log says what became of each response: frames sent, and whether the client went away first.</summary>
public sealed class RecordedResponseTests
{
    private const string Body = """{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"count"}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stream_read_to_its_end_is_recorded_complete_with_every_frame()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new HttpClient();

        using var response = await http.PostAsync(new Uri(server.OpenAIEndpoint + "/chat/completions"), new StringContent(Body, Encoding.UTF8, "application/json"), Ct);
        await response.Content.ReadAsStringAsync(Ct);
        var recorded = Assert.Single(server.Requests).Response;
        await recorded.Finished.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.False(recorded.Aborted);
        Assert.True(recorded.FramesPlanned > 2);
        Assert.Equal(recorded.FramesPlanned, recorded.FramesWritten);
    }

    [Fact]
    public async Task A_client_that_goes_away_mid_stream_is_recorded_as_an_abort_and_the_emulator_stops_producing()
    {
        await using var server = await EmulatorServer.StartAsync(new EmulatorOptions { ChunkDelay = TimeSpan.FromMilliseconds(200) }, Ct);
        server.Script.Enqueue(CompanyOs.Emulator.Scripting.ScriptedTurn.Text(string.Join(' ', Enumerable.Repeat("word", 50))));
        using (var http = new HttpClient())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.OpenAIEndpoint + "/chat/completions"))
            {
                Content = new StringContent(Body, Encoding.UTF8, "application/json"),
            };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
            Assert.NotNull(await reader.ReadLineAsync(Ct));
        }

        var recorded = Assert.Single(server.Requests).Response;
        await recorded.Finished.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.True(recorded.Aborted);
        Assert.InRange(recorded.FramesWritten, 1, recorded.FramesPlanned!.Value / 4);
    }
}
