using System.Collections.Concurrent;

namespace CompanyOs.Emulator.Hosting;

/// <summary>Thread-safe per-route request counters and a bounded log of recorded requests.</summary>
internal sealed class RequestLedger(int maxRecorded)
{
    private readonly int[] _counts = new int[Enum.GetValues<EmulatorRoute>().Length];
    private readonly ConcurrentQueue<RecordedRequest> _recorded = new();

    public int Count(EmulatorRoute route) => Volatile.Read(ref _counts[(int)route]);

    public int Total => _counts.Sum();

    public IReadOnlyList<RecordedRequest> Recorded => _recorded.ToArray();

    public void Increment(EmulatorRoute route) => Interlocked.Increment(ref _counts[(int)route]);

    public void Record(RecordedRequest request)
    {
        if (maxRecorded == 0)
        {
            return;
        }

        _recorded.Enqueue(request);
        while (_recorded.Count > maxRecorded && _recorded.TryDequeue(out _))
        {
        }
    }

    public void Clear()
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            Interlocked.Exchange(ref _counts[i], 0);
        }

        _recorded.Clear();
    }
}
