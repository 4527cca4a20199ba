using System.Text.Json;

namespace CompanyOs.Tools.WebSearch;

/// <summary>SearXNG's JSON API: <c>GET {base}/search?q=..&amp;format=json</c>, hits in <c>results[]</c> with <c>title</c>, <c>url</c>, <c>content</c>.</summary>
public sealed class SearxngSearchClient : IWebSearchClient
{
    private readonly HttpClient _http;
    private readonly Uri _baseUrl;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    public SearxngSearchClient(HttpClient http, Uri baseUrl, TimeSpan timeout, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseUrl);
        _http = http;
        _baseUrl = baseUrl;
        _timeout = timeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public string Provider => "searxng";

    public async Task<IReadOnlyList<WebSearchResult>> SearchAsync(string query, int count, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        var url = new Uri(_baseUrl, $"{_baseUrl.AbsolutePath.TrimEnd('/')}/search?q={Uri.EscapeDataString(query)}&format=json");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("application/json");
        using var document = await SearchHttp.GetJsonAsync(_http, request, Provider, _timeout, _timeProvider, cancellationToken).ConfigureAwait(false);

        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            throw new WebSearchException(Provider, "response has no 'results' array (is format=json enabled on the instance?)", isRetriable: false);
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
                hits.Add(new WebSearchResult(SearchHttp.Clean(Text(item, "title")), link, SearchHttp.Clean(Text(item, "content"))));
            }
        }

        return hits;
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
