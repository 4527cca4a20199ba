namespace CompanyOs.Llm.Gateway.RateLimiting;

/// <summary>Limits of a <see cref="SlidingWindowLogRateLimiter"/>; null = unlimited.</summary>
public sealed record SlidingWindowLogOptions
{
    /// <summary>Requests admitted in any window (RPM for a 60 s window).</summary>
    public int? RequestLimit { get; init; }

    /// <summary>Permits (tokens) admitted in any window (TPM for a 60 s window).</summary>
    public long? TokenLimit { get; init; }

    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Acquisitions allowed to wait at once; more fail immediately.</summary>
    public int QueueLimit { get; init; } = 1000;
}
