using System.Globalization;
using CompanyOs.Emulator.Model;

namespace CompanyOs.Emulator.Hosting;

/// <summary>Parses the <c>key=value;key=value</c> emulator headers.</summary>
internal static class HeaderValues
{
    /// <summary><c>x-emulator-latency: first-byte=MS;chunk=MS</c>.</summary>
    /// <exception cref="FormatException">Unknown key or bad number.</exception>
    public static (TimeSpan FirstByte, TimeSpan Chunk) Latency(string? value)
    {
        var pairs = Pairs(EmulatorHeaders.Latency, value, "first-byte", "chunk");
        return (TimeSpan.FromMilliseconds(pairs.GetValueOrDefault("first-byte")), TimeSpan.FromMilliseconds(pairs.GetValueOrDefault("chunk")));
    }

    /// <summary><c>x-emulator-cache: read=N;write=M</c>.</summary>
    /// <exception cref="FormatException">Unknown key or bad number.</exception>
    public static CacheHint Cache(string? value)
    {
        var pairs = Pairs(EmulatorHeaders.Cache, value, "read", "write");
        return new CacheHint(pairs.GetValueOrDefault("read"), pairs.GetValueOrDefault("write"));
    }

    private static Dictionary<string, int> Pairs(string header, string? value, params string[] keys)
    {
        var result = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(value))
        {
            return result;
        }

        foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? part : part[..eq].Trim();
            if (!keys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw new FormatException($"{header}: unknown key '{key}'. Expected {string.Join(", ", keys)}.");
            }

            if (eq < 0 || !int.TryParse(part[(eq + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > 10_000_000)
            {
                throw new FormatException($"{header}: '{part}' needs a non-negative integer.");
            }

            result[key] = number;
        }

        return result;
    }
}
