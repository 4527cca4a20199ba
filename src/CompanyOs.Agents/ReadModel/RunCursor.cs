using System.Globalization;
using System.Text;

namespace CompanyOs.Agents.ReadModel;

/// <summary>Opaque page cursors: the global position of the last listed run's first event, base64url-encoded.</summary>
internal static class RunCursor
{
    private const string Prefix = "r1.";

    public static string Encode(long startPosition) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(Prefix + startPosition.ToString(CultureInfo.InvariantCulture)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <exception cref="ArgumentException">The text is not a cursor this catalog handed out.</exception>
    public static long Decode(string cursor)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=')));
            if (text.StartsWith(Prefix, StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var position)
                && position > 0)
            {
                return position;
            }
        }
        catch (FormatException)
        {
            // Reported below like any other foreign text.
        }

        throw new ArgumentException($"RunQuery.After '{Cut(cursor)}' is not a cursor from a previous page (use the next_cursor you were given).", nameof(cursor));
    }

    private static string Cut(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
