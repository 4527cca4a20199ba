namespace CompanyOs.Tools.WebSearch;

/// <summary>Search provider settings. <see cref="ToString"/> never shows the key.</summary>
public sealed class WebSearchOptions
{
    public SearchProvider Provider { get; init; }

    /// <summary>Base URL, e.g. <c>http://localhost:8888</c> for SearXNG or <c>https://api.search.brave.com</c> for Brave.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>Brave subscription token; unused by SearXNG.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Bound on one HTTP request to the provider.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest number of results a call may ask for.</summary>
    public int MaxResults { get; init; } = 10;

    public override string ToString() =>
        $"WebSearchOptions {{ Provider = {Provider}, BaseUrl = {BaseUrl}, ApiKey = {(string.IsNullOrEmpty(ApiKey) ? "(none)" : "***")}, RequestTimeout = {RequestTimeout}, MaxResults = {MaxResults} }}";
}
