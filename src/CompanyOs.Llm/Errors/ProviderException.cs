namespace CompanyOs.Llm.Errors;

/// <summary>
/// A failure of one provider call, translated from the SDK at the provider boundary.
/// <see cref="IsRetriable"/> decides whether retry and fallback may act on it.
/// </summary>
public sealed class ProviderException : LlmException
{
    public ProviderException(
        string provider,
        ProviderErrorKind kind,
        int? statusCode,
        string message,
        TimeSpan? retryAfter = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(provider);
        Provider = provider;
        Kind = kind;
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    /// <summary>The configured provider name (e.g. <c>anthropic</c>).</summary>
    public string Provider { get; }

    public ProviderErrorKind Kind { get; }

    /// <summary>The HTTP status code, when the upstream answered at all.</summary>
    public int? StatusCode { get; }

    /// <summary>The wait the upstream asked for (<c>Retry-After</c>), when it said one.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>True for transient failures: rate limits, overload, 5xx, timeouts, connection errors, interrupted streams, open circuits.</summary>
    public bool IsRetriable => IsRetriableKind(Kind);

    public static bool IsRetriableKind(ProviderErrorKind kind) => kind is
        ProviderErrorKind.RateLimited or ProviderErrorKind.Overloaded or ProviderErrorKind.ServerError or
        ProviderErrorKind.Unavailable or ProviderErrorKind.Timeout or ProviderErrorKind.ConnectionFailed or
        ProviderErrorKind.StreamInterrupted or ProviderErrorKind.MalformedResponse or ProviderErrorKind.CircuitOpen;
}
