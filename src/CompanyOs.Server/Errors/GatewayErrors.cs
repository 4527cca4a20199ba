using System.Data.Common;
using System.Globalization;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Gateway.Routing;

namespace CompanyOs.Server.Errors;

/// <summary>
/// The one boundary where gateway failures become HTTP errors. Upstream failures name the provider and what went wrong,
/// never the provider's message or body (which may echo a key or a prompt).
/// </summary>
internal static class GatewayErrors
{
    /// <summary>The client-facing error for <paramref name="exception"/>, or null when it is not a request failure (a bug).</summary>
    public static ApiError? From(Exception exception) => exception switch
    {
        ApiRequestException e => e.Error,
        RoutingException e => new ApiError(ApiErrorKind.NotFound, e.Message, "model"),
        BudgetExceededException e => new ApiError(ApiErrorKind.InsufficientQuota,
            $"Budget exhausted: {e.Message} Raise the budget or wait for it to be reset."),
        RateLimitedException e => new ApiError(ApiErrorKind.RateLimited,
            $"Rate limit reached for provider '{e.Provider}'. Retry after {Seconds(e.RetryAfter)} s.",
            RetryAfter: e.RetryAfter ?? TimeSpan.FromSeconds(1)),
        ProviderException e => FromProvider(e),
        SpendStoreUnavailableException => SpendStoreUnavailable,
        DbException => StoreUnavailable,
        LlmException => new ApiError(ApiErrorKind.UpstreamFailed, "The gateway could not complete the call."),
        _ => null,
    };

    /// <summary>The server's own store (keys, spend, usage) failed: the call is refused rather than run unaccounted.</summary>
    public static ApiError StoreUnavailable { get; } = new(ApiErrorKind.UpstreamUnavailable,
        "The server's key and usage store is unavailable; the request was not run. Retry shortly.", RetryAfter: TimeSpan.FromSeconds(1));

    /// <summary>The shared spend store (Redis) does not answer: a call with a budget is refused rather than run unchecked.</summary>
    public static ApiError SpendStoreUnavailable { get; } = new(ApiErrorKind.UpstreamUnavailable,
        "The shared budget store (Redis) is unavailable, so this call's spend cannot be reserved against its budget; the request was not run. Retry shortly.",
        RetryAfter: TimeSpan.FromSeconds(1));

    /// <summary>The <c>Retry-After</c> header value: whole seconds, rounded up, at least 1.</summary>
    public static string Seconds(TimeSpan? wait) =>
        Math.Max(1, (long)Math.Ceiling((wait ?? TimeSpan.FromSeconds(1)).TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static ApiError FromProvider(ProviderException e)
    {
        var status = e.StatusCode is { } code ? $" (HTTP {code.ToString(CultureInfo.InvariantCulture)})" : "";
        var what = $"Provider '{e.Provider}' failed: {Describe(e.Kind)}{status}";
        return e.Kind switch
        {
            ProviderErrorKind.RateLimited => new ApiError(ApiErrorKind.RateLimited,
                $"{what} after retries and fallback. Retry after {Seconds(e.RetryAfter)} s.", RetryAfter: e.RetryAfter ?? TimeSpan.FromSeconds(1)),
            ProviderErrorKind.BadRequest => new ApiError(ApiErrorKind.InvalidRequest, $"{what}: the provider rejected the request."),
            ProviderErrorKind.NotFound => new ApiError(ApiErrorKind.NotFound, $"{what}: the provider does not know the model.", "model"),
            ProviderErrorKind.Overloaded or ProviderErrorKind.Unavailable or ProviderErrorKind.CircuitOpen =>
                new ApiError(ApiErrorKind.UpstreamUnavailable, $"{what} after retries and fallback.", RetryAfter: e.RetryAfter),
            ProviderErrorKind.Timeout => new ApiError(ApiErrorKind.UpstreamTimeout, $"{what} after retries and fallback."),
            _ => new ApiError(ApiErrorKind.UpstreamFailed, $"{what}."),
        };
    }

    private static string Describe(ProviderErrorKind kind) => kind switch
    {
        ProviderErrorKind.RateLimited => "rate limited",
        ProviderErrorKind.Overloaded => "overloaded",
        ProviderErrorKind.ServerError => "server error",
        ProviderErrorKind.Unavailable => "unavailable",
        ProviderErrorKind.Timeout => "timed out",
        ProviderErrorKind.ConnectionFailed => "connection failed",
        ProviderErrorKind.Authentication => "the gateway's provider credentials were refused",
        ProviderErrorKind.PermissionDenied => "permission denied to the gateway",
        ProviderErrorKind.BadRequest => "bad request",
        ProviderErrorKind.NotFound => "not found",
        ProviderErrorKind.StreamInterrupted => "stream interrupted",
        ProviderErrorKind.MalformedResponse => "malformed response",
        ProviderErrorKind.CircuitOpen => "circuit open (recent failures)",
        _ => "unknown error",
    };
}
