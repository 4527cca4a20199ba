using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CompanyOs.Tools.WebSearch;

/// <summary>The one place search HTTP failures are translated into <see cref="WebSearchException"/> messages fit for a model.</summary>
internal static partial class SearchHttp
{
    public static async Task<JsonDocument> GetJsonAsync(
        HttpClient http, HttpRequestMessage request, string provider, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var timeoutCts = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw StatusError(provider, response);
            }

            var body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                return await JsonDocument.ParseAsync(body, default, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
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

    public static string Clean(string? html) =>
        string.IsNullOrEmpty(html) ? string.Empty : WebUtility.HtmlDecode(Tags().Replace(html, string.Empty)).Trim();

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

    [GeneratedRegex("<[^>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex Tags();
}
