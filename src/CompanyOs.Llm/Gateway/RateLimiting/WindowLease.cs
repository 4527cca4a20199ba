using System.Threading.RateLimiting;

namespace CompanyOs.Llm.Gateway.RateLimiting;

/// <summary>
/// A lease of <see cref="SlidingWindowLogRateLimiter"/>. Disposing it returns nothing: an admitted request stays counted for
/// the whole window. A refused lease says when to retry and why. An admitted lease remembers its own share of its (shared,
/// coalesced) <see cref="WindowEntry"/>, so that a correction moves the entry by just this lease's difference.
/// </summary>
internal sealed class WindowLease : RateLimitLease
{
    private static readonly string[] FailedNames = [MetadataName.RetryAfter.Name, MetadataName.ReasonPhrase.Name];

    private WindowLease(bool acquired, WindowEntry? entry, long tokens, TimeSpan? retryAfter, string? reason)
    {
        IsAcquired = acquired;
        Entry = entry;
        Tokens = tokens;
        Requests = entry is null ? 0 : 1;
        RetryAfter = retryAfter;
        Reason = reason;
    }

    public static WindowLease Check { get; } = new(true, null, 0, null, null);

    public override bool IsAcquired { get; }

    public WindowEntry? Entry { get; }

    /// <summary>The tokens this lease counts for in <see cref="Entry"/> (its estimate, then its correction); changed under the limiter's lock.</summary>
    public long Tokens { get; set; }

    /// <summary>The requests (0 or 1) this lease counts for in <see cref="Entry"/>; changed under the limiter's lock.</summary>
    public long Requests { get; set; }

    public TimeSpan? RetryAfter { get; }

    public string? Reason { get; }

    public override IEnumerable<string> MetadataNames => IsAcquired ? [] : FailedNames;

    public static WindowLease Granted(WindowEntry entry, long tokens) => new(true, entry, tokens, null, null);

    public static WindowLease Refused(TimeSpan? retryAfter, string reason) => new(false, null, 0, retryAfter, reason);

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = metadataName == MetadataName.RetryAfter.Name && RetryAfter is { } wait ? wait
            : metadataName == MetadataName.ReasonPhrase.Name ? Reason
            : null;
        return metadata is not null;
    }
}
