using System.Buffers;

namespace CompanyOs.Llm.PassThrough;

/// <summary>
/// Reads the <c>data</c> of each server-sent event from a stream (lines ending in LF, CRLF or CR; several <c>data:</c> lines
/// joined with LF; comments, <c>event:</c>, <c>id:</c> and <c>retry:</c> ignored), as soon as its blank line arrives.
/// </summary>
internal sealed class SseDataReader(Stream stream) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(4 * 1024);
    private int _start;
    private int _end;
    private bool _ended;

    /// <summary>The next event's data; null at the end of the stream.</summary>
    public async ValueTask<byte[]?> ReadAsync(CancellationToken cancellationToken)
    {
        byte[]? data = null;
        while (true)
        {
            while (TryReadLine(out var lineStart, out var lineLength))
            {
                var line = _buffer.AsSpan(lineStart, lineLength);
                if (line.IsEmpty)
                {
                    if (data is not null)
                    {
                        return data;
                    }

                    continue;
                }

                if (line.StartsWith("data:"u8))
                {
                    var value = line[5..];
                    if (value.StartsWith(" "u8))
                    {
                        value = value[1..];
                    }

                    data = data is null ? value.ToArray() : [.. data, (byte)'\n', .. value];
                }
            }

            if (_ended)
            {
                return data; // an unterminated last event still counts: the caller decides whether the stream was complete
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// True when the bytes already received hold the next event whole (a <c>data:</c> line and the blank line that ends it):
    /// the next <see cref="ReadAsync"/> returns it without waiting for the stream. False when unsure (a CR at the end of the
    /// bytes may be half a CRLF).
    /// </summary>
    public bool HasBufferedEvent
    {
        get
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var data = false;
            while (pending.IndexOfAny((byte)'\n', (byte)'\r') is var at and >= 0)
            {
                if (pending[at] == (byte)'\r' && at + 1 == pending.Length)
                {
                    return false; // the reader waits for the byte after it before taking the line
                }

                var line = pending[..at];
                if (line.IsEmpty && data)
                {
                    return true;
                }

                data |= line.StartsWith("data:"u8);
                at += pending[at] == (byte)'\r' && pending[at + 1] == (byte)'\n' ? 1 : 0;

                pending = pending[(at + 1)..];
            }

            return false;
        }
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool TryReadLine(out int lineStart, out int lineLength)
    {
        var pending = _buffer.AsSpan(_start, _end - _start);
        var at = pending.IndexOfAny((byte)'\n', (byte)'\r');
        lineStart = _start;
        if (at < 0)
        {
            if (_ended && pending.Length > 0)
            {
                lineLength = pending.Length;
                _start = _end;
                return true;
            }

            lineLength = 0;
            return false;
        }

        var terminator = 1;
        if (pending[at] == (byte)'\r')
        {
            if (at + 1 == pending.Length && !_ended)
            {
                lineLength = 0;
                return false; // a CR at the end of the buffer may be the first half of CRLF
            }

            if (at + 1 < pending.Length && pending[at + 1] == (byte)'\n')
            {
                terminator = 2;
            }
        }

        lineLength = at;
        _start += at + terminator;
        return true;
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        var pending = _end - _start;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
            _start = 0;
            _end = pending;
        }

        if (_end == _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _ended = true;
        }

        _end += read;
    }
}
