using System.Text.Json;

namespace CompanyOs.Tools.WebSearch;

/// <summary>
/// SearXNG's JSON API: <c>GET {base}/search?q=..&amp;format=json</c>, hits in <c>results[]</c> with <c>title</c>, <c>url</c>, <c>content</c>.
/// Redirects are followed only within the base URL's origin.
/// </summary>
public sealed class SearxngSearchClient : IWebSearchClient, IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _baseUrl;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    /// <param name="baseUrl">The instance, e.g. <c>http://localhost:8888</c>.</param>
    /// <param name="timeout">Bound on one search, redirects included.</param>
    /// <param name="timeProvider">Clock for the timeout.</param>
    /// <param name="handler">
    /// HTTP handler to send through (default: a new <see cref="SocketsHttpHandler"/>); its automatic redirects are switched off.
    /// It stays the caller's to dispose.
    /// </param>
    /// <exception cref="ArgumentException">A handler that has already been used.</exception>
    public SearxngSearchClient(Uri baseUrl, TimeSpan timeout, TimeProvider? timeProvider = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        _http = SearchHttp.CreateClient(handler);
        _baseUrl = baseUrl;
        _timeout = timeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public string Provider => "searxng";

    public async Task<IReadOnlyList<WebSearchResult>> SearchAsync(string query, int count, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        var url = new Uri(_baseUrl, $"{_baseUrl.AbsolutePath.TrimEnd('/')}/search?q={Uri.EscapeDataString(query)}&format=json");
        using var document = await SearchHttp.GetJsonAsync(_http, url, static _ => { }, Provider, _timeout, _timeProvider, cancellationToken).ConfigureAwait(false);

        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            throw new WebSearchException(Provider, "response has no 'results' array (is format=json enabled on the instance?)", isRetriable: false);
        }

        return SearchResults.From(results, count, snippetProperty: "content");
    }

    public void Dispose() => _http.Dispose();
}
