using System.Globalization;
using System.Text.Json;

namespace CompanyOs.Tools.WebSearch;

/// <summary>
/// Brave Search API: <c>GET {base}/res/v1/web/search?q=..&amp;count=..</c> with header <c>X-Subscription-Token</c>;
/// hits in <c>web.results[]</c> with <c>title</c>, <c>url</c>, <c>description</c> (which may contain <c>&lt;strong&gt;</c> markup).
/// Redirects are followed only within the base URL's origin, so the key is never sent to another host.
/// </summary>
public sealed class BraveSearchClient : IWebSearchClient, IDisposable
{
    /// <summary>Brave's cap on <c>count</c>.</summary>
    public const int MaxCount = 20;

    private readonly HttpClient _http;
    private readonly Uri _baseUrl;
    private readonly string _apiKey;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    /// <param name="baseUrl">e.g. <c>https://api.search.brave.com</c>.</param>
    /// <param name="apiKey">The subscription token, sent only as a header and only to <paramref name="baseUrl"/>'s origin.</param>
    /// <param name="timeout">Bound on one search, redirects included.</param>
    /// <param name="timeProvider">Clock for the timeout.</param>
    /// <param name="handler">
    /// HTTP handler to send through (default: a new <see cref="SocketsHttpHandler"/>); its automatic redirects are switched off.
    /// It stays the caller's to dispose.
    /// </param>
    /// <exception cref="ArgumentException">A blank key, or a handler that has already been used.</exception>
    public BraveSearchClient(Uri baseUrl, string apiKey, TimeSpan timeout, TimeProvider? timeProvider = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        _http = SearchHttp.CreateClient(handler);
        _baseUrl = baseUrl;
        _apiKey = apiKey;
        _timeout = timeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public string Provider => "brave";

    public async Task<IReadOnlyList<WebSearchResult>> SearchAsync(string query, int count, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        var n = Math.Clamp(count, 1, MaxCount).ToString(CultureInfo.InvariantCulture);
        var url = new Uri(_baseUrl, $"{_baseUrl.AbsolutePath.TrimEnd('/')}/res/v1/web/search?q={Uri.EscapeDataString(query)}&count={n}");
        using var document = await SearchHttp.GetJsonAsync(
            _http, url, headers => headers.TryAddWithoutValidation("X-Subscription-Token", _apiKey), Provider, _timeout, _timeProvider, cancellationToken).ConfigureAwait(false);

        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new WebSearchException(Provider, "response is not a JSON object", isRetriable: false);
        }

        // Brave omits "web" entirely when nothing matched.
        if (!root.TryGetProperty("web", out var web) || web.ValueKind != JsonValueKind.Object
            || !web.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return SearchResults.From(results, count, snippetProperty: "description");
    }

    public void Dispose() => _http.Dispose();

    public override string ToString() => $"BraveSearchClient {{ BaseUrl = {_baseUrl} }}";
}
