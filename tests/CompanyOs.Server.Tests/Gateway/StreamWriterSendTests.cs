using System.Text;
using CompanyOs.Llm.PassThrough;
using CompanyOs.Server.Anthropic;
using CompanyOs.Server.Gateway;
using CompanyOs.Server.OpenAI;
using CompanyOs.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.AI;

namespace CompanyOs.Server.Tests.Gateway;

/// <summary>
/// The stream writers hand the connection one write per update (all of its events) and one for the closing lines, the
/// gateway's cost comment (appended by <see cref="GatewayStream"/> before the closing callback) included.
/// </summary>
public sealed class StreamWriterSendTests
{
    private const string Cost = ": x-companyos-cost-usd: 0.25\n\n";

    [Fact]
    public async Task Openai_converted_stream_sends_each_update_whole_and_the_closing_lines_with_the_cost_in_one_write()
    {
        var (response, body) = WriteRecordingStream.NewResponse();
        var writer = new ChatStreamWriter(response, new ChatCall("gpt-4o", [], new ChatOptions(), Stream: true, IncludeUsage: true), DateTimeOffset.UnixEpoch);

        await writer.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, "Hello") { ResponseId = "r1", ModelId = "gpt-4o" });
        await writer.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 3, OutputTokenCount = 1 })]));
        Assert.Equal(1, body.Writes);
        Assert.Contains("\"role\":\"assistant\",\"content\":\"Hello\"", body.Text, StringComparison.Ordinal);

        ServerSentEvents.AppendRaw(response, Cost);
        await writer.CompleteAsync();

        Assert.Equal(2, body.Writes);
        var closing = body.LastWrite;
        Assert.StartsWith(Cost + "data: {", closing, StringComparison.Ordinal);
        Assert.Contains("\"finish_reason\":\"stop\"", closing, StringComparison.Ordinal);
        Assert.Contains("\"prompt_tokens\":3", closing, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", closing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passed_through_stream_sends_each_chunk_at_once_and_its_held_closing_chunks_with_the_cost_in_one_write()
    {
        var (response, body) = WriteRecordingStream.NewResponse();
        var writer = new ChatStreamWriter(response, new ChatCall("gpt-4o", [], new ChatOptions(), Stream: true, IncludeUsage: true), DateTimeOffset.UnixEpoch);

        await writer.WriteAsync(Passed("""{"n":1}""", usageOnly: false));
        await writer.WriteAsync(Passed("""{"n":2}""", usageOnly: false));
        Assert.Equal(["data: {\"n\":1}\n\n", "data: {\"n\":2}\n\n"], body.Chunks);

        await writer.WriteAsync(Passed("""{"finish":1}""", usageOnly: false, ChatFinishReason.Stop));
        await writer.WriteAsync(Passed("""{"usage":1}""", usageOnly: true));
        Assert.Equal(2, body.Writes); // held until the end, behind the cost comment
        ServerSentEvents.AppendRaw(response, Cost);
        await writer.CompleteAsync();

        Assert.Equal(3, body.Writes);
        Assert.Equal(Cost + "data: {\"finish\":1}\n\ndata: {\"usage\":1}\n\ndata: [DONE]\n\n", body.LastWrite);
    }

    [Fact]
    public async Task Passed_through_chunks_that_arrived_together_go_out_in_one_write_and_before_the_held_closing_chunks()
    {
        var (response, body) = WriteRecordingStream.NewResponse();
        var writer = new ChatStreamWriter(response, new ChatCall("gpt-4o", [], new ChatOptions(), Stream: true, IncludeUsage: true), DateTimeOffset.UnixEpoch);

        // Three chunks in one read from the provider: one send, when the last of them is written.
        await writer.WriteAsync(Passed("""{"n":1}""", usageOnly: false, moreReceived: true));
        await writer.WriteAsync(Passed("""{"n":2}""", usageOnly: false, moreReceived: true));
        Assert.Equal(0, body.Writes);
        await writer.WriteAsync(Passed("""{"n":3}""", usageOnly: false));
        Assert.Equal(["data: {\"n\":1}\n\ndata: {\"n\":2}\n\ndata: {\"n\":3}\n\n"], body.Chunks);

        // A chunk held for the next one is sent when that one is a closing chunk: it does not wait for the end of the stream.
        await writer.WriteAsync(Passed("""{"n":4}""", usageOnly: false, moreReceived: true));
        await writer.WriteAsync(Passed("""{"finish":1}""", usageOnly: false, ChatFinishReason.Stop, moreReceived: true));
        Assert.Equal("data: {\"n\":4}\n\n", body.LastWrite);
        await writer.WriteAsync(Passed("""{"usage":1}""", usageOnly: true, moreReceived: true));
        Assert.Equal(2, body.Writes);

        ServerSentEvents.AppendRaw(response, Cost);
        await writer.CompleteAsync();
        Assert.Equal(3, body.Writes);
        Assert.Equal(Cost + "data: {\"finish\":1}\n\ndata: {\"usage\":1}\n\ndata: [DONE]\n\n", body.LastWrite);
    }

    [Fact]
    public async Task A_held_passed_through_chunk_goes_out_before_the_closing_lines_when_the_stream_ends_after_it()
    {
        var (response, body) = WriteRecordingStream.NewResponse();
        var writer = new ChatStreamWriter(response, new ChatCall("gpt-4o", [], new ChatOptions(), Stream: true, IncludeUsage: false), DateTimeOffset.UnixEpoch);

        await writer.WriteAsync(Passed("""{"n":1}""", usageOnly: false, moreReceived: true));
        ServerSentEvents.AppendRaw(response, Cost);
        await writer.CompleteAsync();

        Assert.Equal(["data: {\"n\":1}\n\n" + Cost + "data: [DONE]\n\n"], body.Chunks);
    }

    [Fact]
    public async Task The_closing_lines_complete_the_response_so_that_they_go_out_with_its_end()
    {
        foreach (var passedThrough in new[] { true, false })
        {
            var body = new WriteRecordingStream();
            var context = new DefaultHttpContext();
            var feature = new CompletionRecordingBodyFeature(body);
            context.Features.Set<IHttpResponseBodyFeature>(feature);
            var writer = new ChatStreamWriter(context.Response, new ChatCall("gpt-4o", [], new ChatOptions(), Stream: true, IncludeUsage: false), DateTimeOffset.UnixEpoch);

            await writer.WriteAsync(passedThrough ? Passed("""{"n":1}""", usageOnly: false) : new ChatResponseUpdate(ChatRole.Assistant, "Hello"));
            Assert.False(feature.Completed);
            await writer.CompleteAsync();

            Assert.True(feature.Completed, passedThrough ? "passed through" : "converted");
            Assert.Equal(2, body.Writes);
            Assert.EndsWith("data: [DONE]\n\n", body.LastWrite, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Anthropic_stream_sends_the_events_of_each_update_and_the_closing_events_in_one_write_each()
    {
        var (response, body) = WriteRecordingStream.NewResponse();
        var writer = new MessageStreamWriter(response, new MessagesCall("claude", [], new ChatOptions(), Stream: true), inputTokenEstimate: 5);

        await writer.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, "Hi") { ResponseId = "m1", ModelId = "claude" });
        Assert.Equal(1, body.Writes);
        Assert.Equal(["message_start", "content_block_start", "content_block_delta"], EventNames(body.LastWrite));

        await writer.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, " there"));
        Assert.Equal(2, body.Writes);
        Assert.Equal(["content_block_delta"], EventNames(body.LastWrite));

        await writer.CompleteAsync();
        Assert.Equal(3, body.Writes);
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], EventNames(body.LastWrite));
    }

    private static ChatResponseUpdate Passed(string json, bool usageOnly, ChatFinishReason? finish = null, bool moreReceived = false) =>
        new(ChatRole.Assistant, [new PassThroughEvent(Encoding.UTF8.GetBytes(json), usageOnly, moreReceived)]) { FinishReason = finish };

    /// <summary>Records whether the response was completed (Kestrel then sends what is buffered with the response's end).</summary>
    private sealed class CompletionRecordingBodyFeature(Stream body) : StreamResponseBodyFeature(body)
    {
        public bool Completed { get; private set; }

        public override Task CompleteAsync()
        {
            Completed = true;
            return base.CompleteAsync();
        }
    }

    private static string[] EventNames(string events) =>
        [.. events.Split('\n').Where(l => l.StartsWith("event: ", StringComparison.Ordinal)).Select(l => l["event: ".Length..])];
}
