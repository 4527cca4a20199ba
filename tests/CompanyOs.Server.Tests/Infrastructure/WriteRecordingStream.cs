using System.Text;
using Microsoft.AspNetCore.Http;

namespace CompanyOs.Server.Tests.Infrastructure;

/// <summary>
/// A response body standing in for the connection: keeps each write it is handed, so a test can count the sends an SSE
/// writer makes and read what each carried.
/// </summary>
internal sealed class WriteRecordingStream : Stream
{
    private readonly List<byte[]> _writes = [];

    /// <summary>Each write, decoded as UTF-8 on its own.</summary>
    public IReadOnlyList<string> Chunks => [.. _writes.Select(w => Encoding.UTF8.GetString(w))];

    public int Writes => _writes.Count;

    /// <summary>Everything written, decoded as one UTF-8 text (a character split across writes reads whole).</summary>
    public string Text => Encoding.UTF8.GetString([.. _writes.SelectMany(w => w)]);

    public string LastWrite => Encoding.UTF8.GetString(_writes[^1]);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>A response whose body is a new recording stream.</summary>
    public static (HttpResponse Response, WriteRecordingStream Body) NewResponse()
    {
        var body = new WriteRecordingStream();
        var context = new DefaultHttpContext();
        context.Response.Body = body;
        return (context.Response, body);
    }

    public override void Write(byte[] buffer, int offset, int count) => _writes.Add(buffer.AsSpan(offset, count).ToArray());

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _writes.Add(buffer.ToArray());
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
