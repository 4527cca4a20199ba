namespace CompanyOs.Llm.Gateway.RateLimiting;

/// <summary>One admitted acquisition in the log: when, and how many tokens it is (still) counted for.</summary>
internal sealed class WindowEntry(long timestamp, long tokens)
{
    public long Timestamp { get; } = timestamp;

    public long Tokens { get; set; } = tokens;

    public int Requests { get; set; } = 1;

    /// <summary>True once the entry has left the window (corrections then no longer matter).</summary>
    public bool Expired { get; set; }
}
