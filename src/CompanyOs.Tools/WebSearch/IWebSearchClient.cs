namespace CompanyOs.Tools.WebSearch;

/// <summary>A web search API client.</summary>
public interface IWebSearchClient
{
    /// <summary>Provider name shown in errors, e.g. <c>searxng</c>.</summary>
    string Provider { get; }

    /// <summary>Searches for <paramref name="query"/>; at most <paramref name="count"/> results.</summary>
    /// <exception cref="WebSearchException">The provider failed or answered with something unreadable.</exception>
    Task<IReadOnlyList<WebSearchResult>> SearchAsync(string query, int count, CancellationToken cancellationToken = default);
}
