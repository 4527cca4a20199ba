namespace CompanyOs.Tools.WebSearch;

/// <summary>Which search API <c>web_search</c> calls.</summary>
public enum SearchProvider
{
    /// <summary>No provider: <c>web_search</c> is not offered.</summary>
    None = 0,

    /// <summary>A SearXNG instance with the JSON format enabled (<c>GET {base}/search?q=..&amp;format=json</c>).</summary>
    Searxng,

    /// <summary>Brave Search API (<c>GET {base}/res/v1/web/search?q=..</c> with <c>X-Subscription-Token</c>).</summary>
    Brave,
}
