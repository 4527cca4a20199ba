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

        response.Headers[Provider] = info.Provider;
        if (info.CostUsd is { } cost)
        {
            response.Headers[CostUsd] = cost.ToString(CultureInfo.InvariantCulture);
        }

        response.Headers[Cache] = info.CacheHit ? "hit" : "miss";
        if (info.FallbackPath.Count > 0)
        {
            response.Headers[Fallback] = string.Join(',', info.FallbackPath.Append(info.Provider));
        }
    }
}
