using System.Globalization;
using System.Text.Json;

namespace CompanyOs.Tools.WebSearch;

/// <summary>
/// Brave Search API: <c>GET {base}/res/v1/web/search?q=..&amp;count=..</c> with header <c>X-Subscription-Token</c>;
/// hits in <c>web.results[]</c> with <c>title</c>, <c>url</c>, <c>description</c> (which may contain <c>&lt;strong&gt;</c> markup).
/// </summary>
public sealed class BraveSearchClient : IWebSearchClient
{
    /// <summary>Brave's cap on <c>count</c>.</summary>
    public const int MaxCount = 20;

    private readonly HttpClient _http;
    private readonly Uri _baseUrl;
    private readonly string _apiKey;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    public BraveSearchClient(HttpClient http, Uri baseUrl, string apiKey, TimeSpan timeout, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        _http = http;
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
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.TryAddWithoutValidation("X-Subscription-Token", _apiKey);
        using var document = await SearchHttp.GetJsonAsync(_http, request, Provider, _timeout, _timeProvider, cancellationToken).ConfigureAwait(false);

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

        var hits = new List<WebSearchResult>();
        foreach (var item in results.EnumerateArray())
        {
            if (hits.Count >= count)
            {
                break;
            }

            if (item.ValueKind == JsonValueKind.Object && Text(item, "url") is { Length: > 0 } link)
            {
                hits.Add(new WebSearchResult(SearchHttp.Clean(Text(item, "title")), link, SearchHttp.Clean(Text(item, "description"))));
            }
        }

        return hits;
    }

    public override string ToString() => $"BraveSearchClient {{ BaseUrl = {_baseUrl} }}";

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
