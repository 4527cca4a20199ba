using System.Text.Json.Serialization;
using CompanyOs.Server.Errors;
using CompanyOs.Server.Keys;
using CompanyOs.Server.OpenAI;

namespace CompanyOs.Server.Usage;

/// <summary>
/// <c>GET /v1/stats?from=&amp;to=&amp;group_by=provider,model,agent,key,day</c>: the calls, tokens and cost of the caller's org —
/// the org of its key, never one named in the request — from the durable usage log. Any valid key may read it.
/// </summary>
internal static class StatsApi
{
    public static IEndpointRouteBuilder MapStats(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/stats", (Delegate)HandleAsync);
        return routes;
    }

    private static async Task<IResult> HandleAsync(HttpContext http)
    {
        try
        {
            var query = StatsQuery.Parse(http.Request.Query);
            var caller = Caller.Of(http);
            if (http.RequestServices.GetService<UsageRecorder>() is not { } recorder || http.RequestServices.GetService<UsageLog>() is not { } log)
            {
                return WireErrors.Result(http, new ApiError(ApiErrorKind.NotFound,
                    "Usage stats need the server's store: start the server with --keys-db FILE (or keys_store: postgres)."));
            }

            // What this caller's earlier calls recorded is in the log before it is read.
            await recorder.FlushAsync(http.RequestAborted);
            // A scan of the usage log: on a thread-pool worker, not the socket thread running the request when socket
            // completions run inline (an operator's setting).
            var totals = await Task.Run(() => log.SummarizeAsync(caller.Org, query.From, query.To, http.RequestAborted), http.RequestAborted);
            return TypedResults.Json(Response(caller.Org, query, totals), StatsJsonContext.Default.StatsResponse);
        }
        catch (ApiRequestException e)
        {
            return OpenAIErrors.Result(e.Error, http.Response);
        }
        catch (System.Data.Common.DbException)
        {
            return OpenAIErrors.Result(GatewayErrors.StoreUnavailable, http.Response);
        }
    }

    private static StatsResponse Response(string org, StatsQuery query, IReadOnlyList<UsageTotals> totals)
    {
        var rows = totals
            .GroupBy(t => (
                Provider: query.Groups("provider") ? t.Provider : null,
                Model: query.Groups("model") ? t.Model : null,
                Agent: query.Groups("agent") ? t.Agent : null,
                Key: query.Groups("key") ? t.KeyId : null,
                Day: query.Groups("day") ? t.Day : null))
            .Select(g => Sum(org, g.Key.Provider, g.Key.Model, g.Key.Agent, g.Key.Key, g.Key.Day, g))
            .OrderBy(r => r.Provider, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal)
            .ThenBy(r => r.Agent, StringComparer.Ordinal).ThenBy(r => r.KeyId, StringComparer.Ordinal).ThenBy(r => r.Day, StringComparer.Ordinal)
            .ToList();
        return new StatsResponse
        {
            Org = org,
            From = query.From?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            To = query.To?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            GroupBy = [.. query.GroupBy],
            Rows = rows,
            Totals = Sum(org, null, null, null, null, null, totals),
        };
    }

    private static StatsRow Sum(string org, string? provider, string? model, string? agent, string? key, string? day, IEnumerable<UsageTotals> totals)
    {
        long calls = 0, input = 0, output = 0, unpriced = 0, emulated = 0;
        var cost = 0m;
        foreach (var t in totals)
        {
            calls += t.Calls;
            input += t.InputTokens;
            output += t.OutputTokens;
            cost += t.CostUsd;
            unpriced += t.UnpricedCalls;
            emulated += t.EmulatedCalls;
        }

        return new StatsRow
        {
            Provider = provider, Model = model, Agent = agent, KeyId = key, Org = org, Day = day,
            Calls = calls, InputTokens = input, OutputTokens = output, CostUsd = cost, UnpricedCalls = unpriced, EmulatedCalls = emulated,
        };
    }
}

/// <summary>The body of <c>GET /v1/stats</c>.</summary>
internal sealed class StatsResponse
{
    public string Object { get; init; } = "stats";
    public required string Org { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }
    public required List<string> GroupBy { get; init; }
    public required List<StatsRow> Rows { get; init; }
    public required StatsRow Totals { get; init; }
}

/// <summary>
/// One group of calls. A dimension not grouped by is null. <see cref="CostUsd"/> sums the calls with a known price;
/// <see cref="UnpricedCalls"/> counts those without one (their cost is unknown, not zero); <see cref="EmulatedCalls"/>, those
/// the emulator answered (<c>--emulator</c>).
/// </summary>
internal sealed class StatsRow
{
    public string? Provider { get; init; }
    public string? Model { get; init; }
    public string? Agent { get; init; }
    public string? KeyId { get; init; }
    public required string Org { get; init; }
    public string? Day { get; init; }
    public long Calls { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public decimal CostUsd { get; init; }
    public long UnpricedCalls { get; init; }
    public long EmulatedCalls { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StatsResponse))]
internal sealed partial class StatsJsonContext : JsonSerializerContext;
