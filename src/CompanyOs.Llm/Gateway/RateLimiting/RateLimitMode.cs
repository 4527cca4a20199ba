namespace CompanyOs.Llm.Gateway.RateLimiting;

/// <summary>What a call does when its provider's RPM/TPM limit is reached.</summary>
public enum RateLimitMode
{
    /// <summary>Wait in a bounded FIFO queue (cancellable, at most <see cref="RateLimitPolicyOptions.MaxWait"/>).</summary>
    Wait,
    /// <summary>Fail at once with <see cref="RateLimitedException"/>.</summary>
    FailFast,
}
