using System.Globalization;
using CompanyOs.Llm.Calls;

namespace CompanyOs.Server.Gateway;

/// <summary>The gateway's facts about a call, as response headers.</summary>
internal static class GatewayHeaders
{
    public const string Emulated = "x-companyos-emulated";
    public const string Provider = "x-companyos-provider";
    public const string CostUsd = "x-companyos-cost-usd";
    public const string Cache = "x-companyos-cache";
    public const string Fallback = "x-companyos-fallback";

    /// <summary>
    /// Provider, cost (absent when unknown — never a made-up zero), cache hit or miss, and the fallback chain taken
    /// (the providers given up on, then the one that answered; absent without fallback).
    /// </summary>
    public static void Apply(HttpResponse response, LlmCallInfo? info)
    {
        if (info is null)
        {
            return;
        }

        if (info.CostUsd is { } cost)
        {
            response.Headers[CostUsd] = cost.ToString(CultureInfo.InvariantCulture);
        }

        Route(response, info.Provider, info.CacheHit, info.FallbackPath);
    }

    /// <summary>
    /// A stream's facts, written before its first chunk (after the upstream answered, so provider and fallback are the true
    /// ones). Its cost is known only at the end: it comes as the <see cref="CostComment"/> SSE comment, not as a header.
    /// </summary>
    public static void Apply(HttpResponse response, LlmCallRoute? route)
    {
        if (route is not null)
        {
            Route(response, route.Provider, route.CacheHit, route.FallbackPath);
        }
    }

    /// <summary>
    /// The SSE comment carrying a stream's cost (every SSE parser skips comments, so no SDK sees it); null when the cost is
    /// unknown — never a made-up zero.
    /// </summary>
    public static string? CostComment(LlmCallInfo? info) =>
        info?.CostUsd is { } cost ? $": {CostUsd}: {cost.ToString(CultureInfo.InvariantCulture)}\n\n" : null;

    private static void Route(HttpResponse response, string provider, bool cacheHit, IReadOnlyList<string> fallbackPath)
    {
        response.Headers[Provider] = provider;
        response.Headers[Cache] = cacheHit ? "hit" : "miss";
        if (fallbackPath.Count > 0)
        {
            response.Headers[Fallback] = string.Join(',', fallbackPath.Append(provider));
        }

        response.HttpContext.Features.Set(new RoutedProvider(provider));
    }
}
