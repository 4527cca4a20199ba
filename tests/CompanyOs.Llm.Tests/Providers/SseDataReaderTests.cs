using System.Text;
using CompanyOs.Llm.PassThrough;

namespace CompanyOs.Llm.Tests.Providers;

/// <summary>The pass-through's SSE reader: events as soon as their blank line arrives, however the bytes are cut.</summary>
public sealed class SseDataReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_event_larger_than_the_first_buffer_is_read_whole_when_it_arrives_in_small_reads()
    {
        var big = "{\"content\":\"" + new string('x', 40_000) + "\"}";
        using var reader = new SseDataReader(new TrickleStream(Encoding.UTF8.GetBytes($"data: {big}\n\ndata: {{\"n\":2}}\r\n\r\ndata: [DONE]\n\n"), 1000));

        Assert.Equal(big, await ReadAsync(reader));
        Assert.Equal("{\"n\":2}", await ReadAsync(reader));
        Assert.Equal("[DONE]", await ReadAsync(reader));
        Assert.Null(await reader.ReadAsync(Ct));
    }

    [Fact]
    public async Task Events_cut_at_every_byte_keep_their_data_and_skip_comments_and_other_fields()
    {
        var wire = ": keep-alive\r\nevent: x\r\ndata: {\"a\":1}\r\n\r\nid: 7\ndata: line1\ndata: line2\n\ndata: {\"b\":2}\r\r";
        using var reader = new SseDataReader(new TrickleStream(Encoding.UTF8.GetBytes(wire), 1));

        Assert.Equal("{\"a\":1}", await ReadAsync(reader));
        Assert.Equal("line1\nline2", await ReadAsync(reader));
        Assert.Equal("{\"b\":2}", await ReadAsync(reader));
        Assert.Null(await reader.ReadAsync(Ct));
    }

    [Fact]
    public async Task Says_whether_the_next_event_has_already_been_received_whole()
    {
        // Two events, a comment and half of a third in the first read; the rest of it and [DONE] (ending in a lone CR) in the second.
        using var reader = new SseDataReader(new SegmentStream(
            "data: {\"n\":1}\n\n: keep-alive\n\ndata: {\"n\":2}\r\n\r\ndata: {\"n\"", ":3}\n\ndata: [DONE]\r"));

        Assert.False(reader.HasBufferedEvent); // nothing read yet
        Assert.Equal("{\"n\":1}", await ReadAsync(reader));
        Assert.True(reader.HasBufferedEvent); // a comment is no event, the one after it is whole
        Assert.Equal("{\"n\":2}", await ReadAsync(reader));
        Assert.False(reader.HasBufferedEvent); // half an event
        Assert.Equal("{\"n\":3}", await ReadAsync(reader));
        Assert.False(reader.HasBufferedEvent); // a CR at the end may be half a CRLF: the reader waits for the next byte
        Assert.Equal("[DONE]", await ReadAsync(reader));
        Assert.False(reader.HasBufferedEvent);
        Assert.Null(await reader.ReadAsync(Ct));
    }

    private static async Task<string?> ReadAsync(SseDataReader reader) =>
        await reader.ReadAsync(Ct) is { } data ? Encoding.UTF8.GetString(data) : null;

    /// <summary>Hands out one of its segments per read.</summary>
    private sealed class SegmentStream(params string[] segments) : ReadOnlyTestStream
    {
        private int _next;

        public override int Read(Span<byte> buffer) => _next == segments.Length ? 0 : Encoding.UTF8.GetBytes(segments[_next++], buffer);
    }

    /// <summary>Hands out its bytes at most <c>step</c> at a time, as a socket may.</summary>
    private sealed class TrickleStream(byte[] bytes, int step) : ReadOnlyTestStream
    {
        private int _position;

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(step, buffer.Length), bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
    }

    /// <summary>A forward-only, read-only stream whose reads complete at once; subclasses say what each read returns.</summary>
    private abstract class ReadOnlyTestStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public abstract override int Read(Span<byte> buffer);

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
