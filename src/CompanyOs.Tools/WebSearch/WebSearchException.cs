namespace CompanyOs.Tools.WebSearch;

/// <summary>A search provider failed: rate limited, server error, timeout, bad key, or unreadable response. The message never contains secrets.</summary>
public sealed class WebSearchException : Exception
{
    public WebSearchException(string provider, string problem, bool isRetriable, Exception? innerException = null)
        : base($"{provider}: {problem}", innerException)
    {
        Provider = provider;
        IsRetriable = isRetriable;
    }

    public string Provider { get; }

    /// <summary>True for rate limits, timeouts and 5xx: trying again later may work.</summary>
    public bool IsRetriable { get; }
}
