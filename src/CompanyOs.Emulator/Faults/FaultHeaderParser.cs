using System.Globalization;

namespace CompanyOs.Emulator.Faults;

/// <summary>
/// Parses the <c>x-emulator-fault</c> header: comma-separated faults, each <c>name[=value][;param=value]</c>.
/// Names: an HTTP status 400–599 (params <c>retry-after=SECONDS</c> or <c>retry-after-date=SECONDS</c>),
/// <c>reset</c>, <c>slow-first-byte=MS</c>, <c>cut-after=N</c>, <c>malformed</c>.
/// Example: <c>slow-first-byte=200, 429;retry-after=2</c>.
/// </summary>
public static class FaultHeaderParser
{
    /// <summary>Parses a header value.</summary>
    /// <exception cref="FormatException">The value is not valid; the message names the offending part.</exception>
    public static IReadOnlyList<Fault> Parse(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var faults = new List<Fault>();
        foreach (var raw in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            faults.Add(ParseOne(raw));
        }

        return faults;
    }

    private static Fault ParseOne(string text)
    {
        var parts = text.Split(';', StringSplitOptions.TrimEntries);
        var (name, value) = SplitPair(parts[0]);
        switch (name.ToUpperInvariant())
        {
            case "RESET":
                RejectParams(text, parts);
                return Fault.ConnectionReset();
            case "MALFORMED":
                RejectParams(text, parts);
                return Fault.Malformed();
            case "SLOW-FIRST-BYTE":
                RejectParams(text, parts);
                return Fault.SlowFirstByte(TimeSpan.FromMilliseconds(Number(text, value, "milliseconds")));
            case "CUT-AFTER":
                RejectParams(text, parts);
                return Fault.CutAfter((int)Number(text, value, "chunk count"));
            default:
                return ParseStatus(text, name, value, parts);
        }
    }

    private static Fault ParseStatus(string text, string name, string? value, string[] parts)
    {
        if (value is not null || !int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status is < 400 or > 599)
        {
            throw new FormatException(
                $"x-emulator-fault: unknown fault '{text}'. Expected an HTTP status 400-599, reset, slow-first-byte=MS, cut-after=N or malformed.");
        }

        TimeSpan? retryAfter = null;
        var asDate = false;
        foreach (var param in parts.Skip(1))
        {
            var (key, paramValue) = SplitPair(param);
            switch (key.ToUpperInvariant())
            {
                case "RETRY-AFTER":
                    retryAfter = TimeSpan.FromSeconds(Number(text, paramValue, "seconds"));
                    break;
                case "RETRY-AFTER-DATE":
                    retryAfter = TimeSpan.FromSeconds(Number(text, paramValue, "seconds"));
                    asDate = true;
                    break;
                default:
                    throw new FormatException($"x-emulator-fault: unknown parameter '{param}' in '{text}'. Expected retry-after=SECONDS or retry-after-date=SECONDS.");
            }
        }

        return Fault.Status(status, retryAfter, asDate);
    }

    private static (string Name, string? Value) SplitPair(string part)
    {
        var eq = part.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? (part.Trim(), null) : (part[..eq].Trim(), part[(eq + 1)..].Trim());
    }

    private static double Number(string text, string? value, string what)
    {
        if (value is null || !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number < 0 || number > 1e7)
        {
            throw new FormatException($"x-emulator-fault: '{text}' needs a non-negative number of {what}.");
        }

        return number;
    }

    private static void RejectParams(string text, string[] parts)
    {
        if (parts.Length > 1)
        {
            throw new FormatException($"x-emulator-fault: '{text}' takes no ';' parameters.");
        }
    }
}
