using System.Globalization;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Server.Keys;

namespace CompanyOs.Server.Gateway;

/// <summary>
/// OpenAI's <c>x-ratelimit-*</c> headers on every <c>/v1</c> response where a limit applies, written as the response starts:
/// requests from the tighter of the key's RPM and the routed provider's <c>rate_limit_rpm</c> (the one with fewer requests
/// left), tokens from the provider's <c>rate_limit_tpm</c>. A limit that does not exist is not reported (no made-up numbers).
/// </summary>
internal static class RateLimitHeaders
{
    public const string LimitRequests = "x-ratelimit-limit-requests";
    public const string RemainingRequests = "x-ratelimit-remaining-requests";
    public const string ResetRequests = "x-ratelimit-reset-requests";
    public const string LimitTokens = "x-ratelimit-limit-tokens";
    public const string RemainingTokens = "x-ratelimit-remaining-tokens";
    public const string ResetTokens = "x-ratelimit-reset-tokens";

    public static IApplicationBuilder UseRateLimitHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
        {
            http.Response.OnStarting(static state => Write((HttpContext)state), http);
        }

        return next(http);
    });

    private static Task Write(HttpContext http)
    {
        var key = http.Features.Get<Caller>() is { KeyId: { } keyId } ? http.RequestServices.GetService<KeyRateLimits>()?.StateOf(keyId) : null;
        var provider = http.Features.Get<RoutedProvider>() is { } routed
            ? http.RequestServices.GetService<GatewayServices>()?.GetRateLimitState(routed.Name)
            : null;
        var requests = Tighter(key, provider);
        var headers = http.Response.Headers;
        if (requests is { RequestLimit: { } requestLimit } r)
        {
            headers[LimitRequests] = requestLimit.ToString(CultureInfo.InvariantCulture);
            headers[RemainingRequests] = r.RemainingRequests!.Value.ToString(CultureInfo.InvariantCulture);
            headers[ResetRequests] = Duration(r.RequestsResetIn);
        }

        if (provider is { TokenLimit: { } tokenLimit } t)
        {
            headers[LimitTokens] = tokenLimit.ToString(CultureInfo.InvariantCulture);
            headers[RemainingTokens] = t.RemainingTokens!.Value.ToString(CultureInfo.InvariantCulture);
            headers[ResetTokens] = Duration(t.TokensResetIn);
        }

        return Task.CompletedTask;
    }

    private static RateLimitWindowState? Tighter(RateLimitWindowState? key, RateLimitWindowState? provider) =>
        (key?.RemainingRequests, provider?.RemainingRequests) switch
        {
            (null, null) => null,
            (null, _) => provider,
            (_, null) => key,
            ({ } k, { } p) => p < k ? provider : key,
        };

    /// <summary>OpenAI's (Go's) duration notation: <c>17ms</c>, <c>1.5s</c>, <c>6m0s</c>.</summary>
    internal static string Duration(TimeSpan span)
    {
        var ms = (long)Math.Ceiling(span.TotalMilliseconds);
        if (ms < 1000)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var minutes = ms / 60_000;
        var text = ((ms % 60_000) / 1000m).ToString("0.###", CultureInfo.InvariantCulture) + "s";
        return minutes > 0 ? minutes.ToString(CultureInfo.InvariantCulture) + "m" + text : text;
    }
}
