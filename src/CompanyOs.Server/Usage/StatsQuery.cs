using System.Globalization;
using CompanyOs.Server.Errors;

namespace CompanyOs.Server.Usage;

/// <summary>The query of <c>GET /v1/stats</c>: <c>from</c>, <c>to</c> (UTC days, inclusive) and <c>group_by</c>.</summary>
internal sealed record StatsQuery(DateOnly? From, DateOnly? To, IReadOnlyList<string> GroupBy)
{
    /// <summary>What rows may be grouped by, in the order rows are sorted.</summary>
    public static readonly IReadOnlyList<string> Dimensions = ["provider", "model", "agent", "key", "day"];

    private static readonly string[] Parameters = ["from", "to", "group_by"];

    /// <exception cref="ApiRequestException">400 naming the parameter that is unknown, repeated or malformed.</exception>
    public static StatsQuery Parse(IQueryCollection query)
    {
        foreach (var (name, values) in query)
        {
            if (!Parameters.Contains(name, StringComparer.Ordinal))
            {
                throw Invalid(name, $"Unknown query parameter '{name}': /v1/stats takes {string.Join(", ", Parameters)}.");
            }

            if (values.Count > 1)
            {
                throw Invalid(name, $"The query parameter '{name}' is given {values.Count} times; give it once.");
            }
        }

        var from = Day(query, "from");
        var to = Day(query, "to");
        if (from > to)
        {
            throw Invalid("from", $"'from' ({from:yyyy-MM-dd}) is after 'to' ({to:yyyy-MM-dd}).");
        }

        var groupBy = new List<string>();
        if (query.TryGetValue("group_by", out var group))
        {
            foreach (var dimension in group.ToString().Split(','))
            {
                var name = dimension.Trim();
                if (!Dimensions.Contains(name, StringComparer.Ordinal))
                {
                    throw Invalid("group_by", $"Cannot group by '{name}': group_by is a comma-separated list of {string.Join(", ", Dimensions)}.");
                }

                if (groupBy.Contains(name, StringComparer.Ordinal))
                {
                    throw Invalid("group_by", $"group_by names '{name}' twice.");
                }

                groupBy.Add(name);
            }
        }

        return new StatsQuery(from, to, groupBy);
    }

    public bool Groups(string dimension) => GroupBy.Contains(dimension, StringComparer.Ordinal);

    private static DateOnly? Day(IQueryCollection query, string name) =>
        !query.TryGetValue(name, out var value) ? null
        : DateOnly.TryParseExact(value.ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day
        : throw Invalid(name, $"'{name}' must be a date as yyyy-MM-dd (UTC), got '{Shorten(value.ToString())}'.");

    /// <summary>Echoes at most a little of a bad value: enough to recognise it, never a wall of text.</summary>
    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";

    private static ApiRequestException Invalid(string param, string message) => new(ApiError.Invalid(param, message));
}
