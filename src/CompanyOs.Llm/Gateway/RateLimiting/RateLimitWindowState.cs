namespace CompanyOs.Llm.Gateway.RateLimiting;

/// <summary>
/// A <see cref="SlidingWindowLogRateLimiter"/>'s current window: what it allows, what the last window holds, and when it is
/// back to its initial state — the figures OpenAI reports in its <c>x-ratelimit-*</c> headers.
/// </summary>
/// <param name="RequestLimit">Requests per window; null without a request limit.</param>
/// <param name="Requests">Requests admitted in the current window.</param>
/// <param name="TokenLimit">Tokens per window; null without a token limit.</param>
/// <param name="Tokens">Tokens admitted in the current window (estimates corrected with the provider's usage).</param>
/// <param name="RequestsResetIn">Until every request of the current window has left it (zero when none is in it).</param>
/// <param name="TokensResetIn">Until every token of the current window has left it (zero when none is in it).</param>
public readonly record struct RateLimitWindowState(
    long? RequestLimit, long Requests, long? TokenLimit, long Tokens, TimeSpan RequestsResetIn, TimeSpan TokensResetIn)
{
    /// <summary>Requests that would be admitted now; null without a request limit.</summary>
    public long? RemainingRequests => RequestLimit is { } limit ? Math.Max(0, limit - Requests) : null;

    /// <summary>Tokens that would be admitted now; null without a token limit.</summary>
    public long? RemainingTokens => TokenLimit is { } limit ? Math.Max(0, limit - Tokens) : null;
}
