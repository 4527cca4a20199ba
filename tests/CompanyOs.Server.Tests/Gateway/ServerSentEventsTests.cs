using System.Text;
using System.Text.Json;
using CompanyOs.Server.Gateway;
using CompanyOs.Server.OpenAI;
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
        var (response, body) = Response();
        var chunk = new ChatCompletionChunk { Id = "chatcmpl-1", Created = 1, Model = "gpt-4o", Choices = [] };

        await ServerSentEvents.WriteAsync(response, "delta", chunk, OpenAIJsonContext.Default.ChatCompletionChunk, Ct);

        var json = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(chunk, OpenAIJsonContext.Default.ChatCompletionChunk));
        Assert.Equal($"event: delta\ndata: {json}\n\n", body.Text);
        Assert.Equal(1, body.Writes);
    }

    [Fact]
    public async Task Passed_through_data_and_raw_lines_are_each_one_write()
    {
        var (response, body) = Response();

        await ServerSentEvents.WriteDataAsync(response, """{"id":"a"}"""u8.ToArray(), Ct);
        await ServerSentEvents.WriteRawAsync(response, ": comment\n\n", Ct);

        Assert.Equal("data: {\"id\":\"a\"}\n\n: comment\n\n", body.Text);
        Assert.Equal(2, body.Writes);
    }

    [Fact]
    public async Task Appended_events_are_sent_together_by_the_flush_and_not_before()
    {
        var (response, body) = Response();

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

    private static (HttpResponse Response, RecordingStream Body) Response()
    {
        var body = new RecordingStream();
        var context = new DefaultHttpContext();
        context.Response.Body = body;
        return (context.Response, body);
    }

    /// <summary>The connection: counts the writes it is handed.</summary>
    private sealed class RecordingStream : Stream
    {
        private readonly MemoryStream _bytes = new();

        public int Writes { get; private set; }

        public string Text => Encoding.UTF8.GetString(_bytes.ToArray());

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _bytes.Length;

        public override long Position { get => _bytes.Position; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Writes++;
            _bytes.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes++;
            _bytes.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
