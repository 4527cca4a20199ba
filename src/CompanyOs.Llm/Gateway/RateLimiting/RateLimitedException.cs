using CompanyOs.Llm.Errors;

namespace CompanyOs.Llm.Gateway.RateLimiting;

/// <summary>The gateway's own RPM/TPM limit for a provider refused the call (fail-fast mode, full queue, or wait too long).</summary>
public sealed class RateLimitedException : LlmException
{
    public RateLimitedException(string provider, string message, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Provider = provider;
        RetryAfter = retryAfter;
    }

    public string Provider { get; }

    /// <summary>When a permit is expected to be available, if known.</summary>
    public TimeSpan? RetryAfter { get; }
}
