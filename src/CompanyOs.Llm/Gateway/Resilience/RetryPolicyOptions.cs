namespace CompanyOs.Llm.Gateway.Resilience;

/// <summary>The <c>retry</c> configuration section. The number of retries is per provider (<c>max_retries</c>).</summary>
public sealed record RetryPolicyOptions
{
    /// <summary>First backoff delay; doubles per retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the computed backoff delay.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest <c>Retry-After</c> honoured by waiting; a longer one ends the retries (fallback may take over).</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Deadline of all attempts on one provider together, waits included.</summary>
    public TimeSpan TotalDeadline { get; init; } = TimeSpan.FromMinutes(5);
}
