namespace CompanyOs.Llm.Providers;

/// <summary>What the HTTP layer saw during one provider call: the last response status and the wait it asked for.</summary>
internal sealed class HttpExchange
{
    public int? StatusCode { get; set; }

    public TimeSpan? RetryAfter { get; set; }

    /// <summary>True once a response with a success status has started (a later failure interrupts it).</summary>
    public bool ResponseStarted => StatusCode is >= 200 and < 300;
}
