using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace CompanyOs.Tools.WebSearch;

/// <summary>
/// The one place search HTTP is done: redirects followed by hand and only within the origin of the configured base URL (so a
/// key header never reaches another host), a cap on the response size, and failures translated into
/// <see cref="WebSearchException"/> messages fit for a model.
/// </summary>
internal static class SearchHttp
{
    /// <summary>Largest response body read; a search answer is a few tens of KiB.</summary>
    public const int MaxResponseBytes = 1024 * 1024;

    /// <summary>Same-origin redirects followed per request.</summary>
    public const int MaxRedirects = 3;

    public const int MaxTitleChars = 200;

    public const int MaxSnippetChars = 500;

    /// <summary>Longer URLs are dropped rather than cut: a cut URL points somewhere else.</summary>
    public const int MaxUrlChars = 2048;

    /// <summary>
    /// An <see cref="HttpClient"/> whose handler does not follow redirects: .NET keeps custom headers such as
    /// <c>X-Subscription-Token</c> on a redirect to another host. A supplied handler (or the primary handler under its
    /// <see cref="DelegatingHandler"/>s) has automatic redirects switched off; it stays the caller's to dispose.
    /// </summary>
    /// <exception cref="ArgumentException">The handler has already sent requests, so its redirect setting can no longer change.</exception>
    public static HttpClient CreateClient(HttpMessageHandler? handler)
    {
        if (handler is null)
        {
            var own = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
            return new HttpClient(own, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        }

        var primary = handler;
        while (primary is DelegatingHandler { InnerHandler: { } inner })
        {
            primary = inner;
        }

        try
        {
            switch (primary)
            {
                case SocketsHttpHandler sockets:
                    sockets.AllowAutoRedirect = false;
                    break;
                case HttpClientHandler classic:
                    classic.AllowAutoRedirect = false;
                    break;
            }
        }
        catch (InvalidOperationException ex)
        {
            throw new ArgumentException("the HTTP handler has already been used; give the search client a fresh one", nameof(handler), ex);
        }

        // Per-request timeouts come from the options.
        return new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public static async Task<JsonDocument> GetJsonAsync(
        HttpClient http, Uri url, Action<HttpRequestHeaders> addHeaders, string provider, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var timeoutCts = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        try
        {
            var current = url;
            for (var redirects = 0; ; redirects++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                request.Headers.Accept.ParseAdd("application/json");
                addHeaders(request.Headers);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
                if (IsRedirect(response.StatusCode))
                {
                    current = NextHop(provider, url, current, response, redirects);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw StatusError(provider, response);
                }

                var body = await ReadCappedAsync(provider, response.Content, linked.Token).ConfigureAwait(false);
                return JsonDocument.Parse(body);
            }
        }
        catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new WebSearchException(provider, $"no answer within {timeout.TotalSeconds:0.###} s (timed out)", isRetriable: true);
        }
        catch (JsonException ex)
        {
            throw new WebSearchException(provider, "returned malformed JSON", isRetriable: false, ex);
        }
        catch (HttpRequestException ex)
        {
            // The exception message may quote the request URL; say only what kind of failure it was.
            throw new WebSearchException(provider, $"could not be reached ({ex.HttpRequestError})", isRetriable: true, ex);
        }
    }

    /// <summary>Tags stripped, entities decoded, and cut to <paramref name="maxChars"/> with an ellipsis.</summary>
    public static string Clean(string? html, int maxChars)
    {
        if (string.IsNullOrEmpty(html))
        {
            return string.Empty;
        }

        var text = WebUtility.HtmlDecode(StripTags(html)).Trim();
        if (text.Length <= maxChars)
        {
            return text;
        }

        var cut = maxChars - 1;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return string.Concat(text.AsSpan(0, cut).TrimEnd(), "…");
    }

    private static bool IsRedirect(HttpStatusCode status) => (int)status is 301 or 302 or 303 or 307 or 308;

    private static Uri NextHop(string provider, Uri origin, Uri current, HttpResponseMessage response, int redirects)
    {
        if (redirects >= MaxRedirects)
        {
            throw new WebSearchException(provider, $"redirected more than {MaxRedirects} times; not followed", isRetriable: false);
        }

        if (response.Headers.Location is not { } location)
        {
            throw new WebSearchException(provider, $"answered HTTP {(int)response.StatusCode} without a Location", isRetriable: false);
        }

        var next = location.IsAbsoluteUri ? location : new Uri(current, location);
        if (!string.Equals(next.Scheme, origin.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(next.IdnHost, origin.IdnHost, StringComparison.OrdinalIgnoreCase)
            || next.Port != origin.Port)
        {
            throw new WebSearchException(
                provider, $"redirected to another origin ({Origin(next)}); not followed, the request stays with {Origin(origin)}", isRetriable: false);
        }

        return next;
    }

    // Scheme, host and port only: a Location may carry credentials or the query in its user info, path or query.
    private static string Origin(Uri uri) => string.Create(CultureInfo.InvariantCulture, $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}");

    private static async Task<ReadOnlyMemory<byte>> ReadCappedAsync(string provider, HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is > MaxResponseBytes and var declared)
        {
            throw TooLarge(provider, $"{declared} bytes");
        }

        var body = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            using var memory = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int n;
            while ((n = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (memory.Length + n > MaxResponseBytes)
                {
                    throw TooLarge(provider, "more");
                }

                memory.Write(chunk, 0, n);
            }

            return memory.GetBuffer().AsMemory(0, (int)memory.Length);
        }
    }

    private static WebSearchException TooLarge(string provider, string size) => new(
        provider, string.Create(CultureInfo.InvariantCulture, $"response is larger than the {MaxResponseBytes / 1024} KiB limit ({size}); refused"), isRetriable: false);

    private static WebSearchException StatusError(string provider, HttpResponseMessage response)
    {
        var code = (int)response.StatusCode;
        return response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => new WebSearchException(provider, $"rate limited (HTTP 429){RetryAfter(response)}; try again later", isRetriable: true),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new WebSearchException(provider, $"rejected the request (HTTP {code}); the API key or instance settings are wrong", isRetriable: false),
            _ when code >= 500 => new WebSearchException(provider, $"server error (HTTP {code}); try again later", isRetriable: true),
            _ => new WebSearchException(provider, $"request failed (HTTP {code})", isRetriable: false),
        };
    }

    private static string RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter?.Delta is { } delta
        ? string.Create(CultureInfo.InvariantCulture, $", retry after {delta.TotalSeconds:0} s")
        : string.Empty;

    // What the regex <[^>]*> removes, in one pass: the regex retried its scan from every '<' of an unclosed run, so a hostile
    // upstream's 1 MiB snippet of '<' cost 13 s of CPU after the request's own timeout had passed.
    private static string StripTags(string html)
    {
        var text = new StringBuilder(html.Length);
        var at = 0;
        while (at < html.Length)
        {
            var open = html.IndexOf('<', at);
            var close = open < 0 ? -1 : html.IndexOf('>', open + 1);
            if (close < 0)
            {
                text.Append(html, at, html.Length - at);
                break;
            }

            text.Append(html, at, open - at);
            at = close + 1;
        }

        return text.ToString();
    }
}
