using System.Text;
using System.Text.Json;
using CompanyOs.Server.Gateway;
using CompanyOs.Server.OpenAI;
using CompanyOs.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace CompanyOs.Server.Tests.Gateway;

/// <summary>
/// Each SSE event reaches the connection as one write (a client never waits on half an event, the server makes one send per
/// event), and events appended together go out in one write.
/// </summary>
public sealed class ServerSentEventsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_json_event_with_its_name_is_written_whole_in_one_write()
    {
        var (response, body) = WriteRecordingStream.NewResponse();
        var chunk = new ChatCompletionChunk { Id = "chatcmpl-1", Created = 1, Model = "gpt-4o", Choices = [] };

        await ServerSentEvents.WriteAsync(response, "delta", chunk, OpenAIJsonContext.Default.ChatCompletionChunk, Ct);

        var json = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(chunk, OpenAIJsonContext.Default.ChatCompletionChunk));
        Assert.Equal($"event: delta\ndata: {json}\n\n", body.Text);
        Assert.Equal(1, body.Writes);
    }

    [Fact]
    public async Task Passed_through_data_and_raw_lines_are_each_one_write()
    {
        var (response, body) = WriteRecordingStream.NewResponse();

        await ServerSentEvents.WriteDataAsync(response, """{"id":"a"}"""u8.ToArray(), Ct);
        await ServerSentEvents.WriteRawAsync(response, ": comment\n\n", Ct);

        Assert.Equal("data: {\"id\":\"a\"}\n\n: comment\n\n", body.Text);
        Assert.Equal(2, body.Writes);
    }

    [Fact]
    public async Task Appended_events_are_sent_together_by_the_flush_and_not_before()
    {
        var (response, body) = WriteRecordingStream.NewResponse();

        ServerSentEvents.AppendRaw(response, ": x-companyos-cost-usd: 0.5\n\n");
        ServerSentEvents.AppendData(response, """{"id":"last"}"""u8);
        ServerSentEvents.Append(response, null, new ChatCompletionChunk { Id = "u", Created = 2, Model = "m", Choices = [] },
            OpenAIJsonContext.Default.ChatCompletionChunk);
        Assert.Equal(0, body.Writes);
        await ServerSentEvents.WriteRawAsync(response, "data: [DONE]\n\n", Ct);

        Assert.StartsWith(": x-companyos-cost-usd: 0.5\n\ndata: {\"id\":\"last\"}\n\ndata: {\"id\":\"u\",", body.Text, StringComparison.Ordinal);
        Assert.EndsWith("}\n\ndata: [DONE]\n\n", body.Text, StringComparison.Ordinal);
        Assert.Equal(1, body.Writes);
    }
}
