using System.Threading.RateLimiting;

namespace CompanyOs.Llm.Gateway.RateLimiting;

/// <summary>
/// A lease of <see cref="SlidingWindowLogRateLimiter"/>. Disposing it returns nothing: an admitted request stays counted for
/// the whole window. A refused lease says when to retry and why.
/// </summary>
internal sealed class WindowLease : RateLimitLease
{
    private static readonly string[] FailedNames = [MetadataName.RetryAfter.Name, MetadataName.ReasonPhrase.Name];

    private WindowLease(bool acquired, WindowEntry? entry, TimeSpan? retryAfter, string? reason)
    {
        IsAcquired = acquired;
        Entry = entry;
        RetryAfter = retryAfter;
        Reason = reason;
    }

    public static WindowLease Check { get; } = new(true, null, null, null);

    public override bool IsAcquired { get; }

    public WindowEntry? Entry { get; }

    public TimeSpan? RetryAfter { get; }

    public string? Reason { get; }

    public override IEnumerable<string> MetadataNames => IsAcquired ? [] : FailedNames;

    public static WindowLease Granted(WindowEntry entry) => new(true, entry, null, null);

    public static WindowLease Refused(TimeSpan? retryAfter, string reason) => new(false, null, retryAfter, reason);

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = metadataName == MetadataName.RetryAfter.Name && RetryAfter is { } wait ? wait
            : metadataName == MetadataName.ReasonPhrase.Name ? Reason
            : null;
        return metadata is not null;
    }
}
