namespace CompanyOs.Agents.Journal;

/// <summary>The run cannot go on, e.g. the provider is down after retries and fallback.</summary>
public sealed record RunFailed : RunEvent
{
    public required string Error { get; init; }

    /// <summary>Provider error kind (e.g. <c>Unavailable</c>) or the exception type.</summary>
    public required string ErrorKind { get; init; }

    public string? Provider { get; init; }
}
