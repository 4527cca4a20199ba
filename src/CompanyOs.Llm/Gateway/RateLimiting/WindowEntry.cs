namespace CompanyOs.Llm.Gateway.RateLimiting;

/// <summary>
/// The acquisitions admitted within one granularity of the log (see <see cref="SlidingWindowLogRateLimiter"/>), coalesced:
/// when the first was admitted, when the last was (the whole entry leaves the window then), and what they are (still) counted for.
/// </summary>
internal sealed class WindowEntry(long timestamp, long tokens)
{
    /// <summary>When the first acquisition of this entry was admitted: later ones join it only within one granularity of it.</summary>
    public long Opened { get; } = timestamp;

    /// <summary>When the last acquisition of this entry was admitted: the entry (all of it) leaves the window at this + window.</summary>
    public long Timestamp { get; set; } = timestamp;

    public long Tokens { get; set; } = tokens;

    public long Requests { get; set; } = 1;

    /// <summary>True once the entry has left the window (corrections then no longer matter).</summary>
    public bool Expired { get; set; }
}
