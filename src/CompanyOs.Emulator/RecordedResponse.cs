namespace CompanyOs.Emulator;

/// <summary>
/// What became of a recorded request's response, for tests that assert a client stopped a stream: how many stream frames
/// were written and whether the connection was aborted (the client went away, or an injected cut/reset) before it ended.
/// </summary>
public sealed class RecordedResponse
{
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _framesWritten;
    private int _framesPlanned = -1;
    private volatile bool _aborted;

    /// <summary>Stream frames (SSE events, NDJSON lines) written and flushed so far.</summary>
    public int FramesWritten => Volatile.Read(ref _framesWritten);

    /// <summary>Frames the full stream has; null for a response that is not a stream (or has not started).</summary>
    public int? FramesPlanned => Volatile.Read(ref _framesPlanned) is var planned and >= 0 ? planned : null;

    /// <summary>True when the connection was aborted before the response was complete.</summary>
    public bool Aborted => _aborted;

    /// <summary>Completes when the emulator has stopped producing the response (complete or aborted).</summary>
    public Task Finished => _finished.Task;

    internal void Plan(int frames) => Volatile.Write(ref _framesPlanned, frames);

    internal void FrameWritten() => Interlocked.Increment(ref _framesWritten);

    internal void Finish(bool aborted)
    {
        _aborted = aborted;
        _finished.TrySetResult();
    }
}
