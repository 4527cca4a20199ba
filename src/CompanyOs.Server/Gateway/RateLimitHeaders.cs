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

    private static NumberText? _requestLimit;
    private static NumberText? _tokenLimit;

    public static IApplicationBuilder UseRateLimitHeaders(this IApplicationBuilder app)
    {
        // The application's singletons, not HttpContext.RequestServices (whose first use creates a DI scope per request),
        // looked up on the first response rather than on every one; one callback for every request, the request its state.
        var limits = new Limits(app.ApplicationServices);
        Func<object, Task> write = state => Write((HttpContext)state, limits);
        return app.Use((http, next) =>
        {
            if (http.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
            {
                http.Response.OnStarting(write, http);
            }

            return next(http);
        });
    }

    private static Task Write(HttpContext http, Limits limits)
    {
        var key = http.Features.Get<Caller>() is { KeyId: { } keyId } ? limits.Keys?.StateOf(keyId) : null;
        var provider = http.Features.Get<RoutedProvider>() is { } routed ? limits.Gateway?.GetRateLimitState(routed.Name) : null;
        var requests = Tighter(key, provider);
        var headers = http.Response.Headers;
        if (requests is { RequestLimit: { } requestLimit } r)
        {
            headers[LimitRequests] = Number(requestLimit, ref _requestLimit);
            headers[RemainingRequests] = r.RemainingRequests!.Value.ToString(CultureInfo.InvariantCulture);
            headers[ResetRequests] = Duration(r.RequestsResetIn);
        }

        if (provider is { TokenLimit: { } tokenLimit } t)
        {
            headers[LimitTokens] = Number(tokenLimit, ref _tokenLimit);
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
    /// <remarks>
    /// Written on every response, so formatted from whole milliseconds into a stack buffer: one string per header, and no
    /// <see cref="decimal"/> division or custom numeric format (with them this was ≈ 0.5 % of the server's CPU at c=32,
    /// issue 17).
    /// </remarks>
    internal static string Duration(TimeSpan span)
    {
        var ms = (long)Math.Ceiling(span.TotalMilliseconds);
        Span<char> text = stackalloc char[48];
        int length;
        if (ms < 1000)
        {
            ms.TryFormat(text, out length, provider: CultureInfo.InvariantCulture);
            "ms".CopyTo(text[length..]);
            return new string(text[..(length + 2)]);
        }

        length = 0;
        var minutes = ms / 60_000;
        if (minutes > 0)
        {
            minutes.TryFormat(text, out length, provider: CultureInfo.InvariantCulture);
            text[length++] = 'm';
        }

        var rest = ms % 60_000;
        (rest / 1000).TryFormat(text[length..], out var written, provider: CultureInfo.InvariantCulture);
        length += written;
        if (rest % 1000 is var fraction and > 0)
        {
            // Up to three decimals without trailing zeros, as the format "0.###" wrote them.
            text[length++] = '.';
            var digits = fraction % 100 == 0 ? 1 : fraction % 10 == 0 ? 2 : 3;
            for (var divisor = 100; digits-- > 0; divisor /= 10)
            {
                text[length++] = (char)('0' + fraction / divisor % 10);
            }
        }

        text[length++] = 's';
        return new string(text[..length]);
    }

    /// <summary>
    /// The decimal text of a header value that rarely changes (a configured limit): the last one formatted is kept, so the same
    /// limit on every response costs no new string.
    /// </summary>
    internal static string Number(long value, ref NumberText? cache)
    {
        var cached = Volatile.Read(ref cache);
        if (cached is not null && cached.Value == value)
        {
            return cached.Text;
        }

        cached = new NumberText(value, value.ToString(CultureInfo.InvariantCulture));
        Volatile.Write(ref cache, cached);
        return cached.Text;
    }

    /// <summary>The limits whose state the headers report, resolved from the application's services on first use.</summary>
    private sealed class Limits(IServiceProvider services)
    {
        private KeyRateLimits? _keys;
        private GatewayServices? _gateway;
        private bool _resolved;

        public KeyRateLimits? Keys => Resolve()._keys;

        public GatewayServices? Gateway => Resolve()._gateway;

        private Limits Resolve()
        {
            if (!Volatile.Read(ref _resolved))
            {
                _keys = services.GetService<KeyRateLimits>();
                _gateway = services.GetService<GatewayServices>();
                Volatile.Write(ref _resolved, true);
            }

            return this;
        }
    }

    /// <summary>A formatted number, swapped as one reference so that readers never see a value with another value's text.</summary>
    internal sealed record NumberText(long Value, string Text);
}
