using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace CompanyOs.Agents.Runtime;

/// <summary>Range checks for option records, with DataAnnotations' message ("The field X must be between A and B.").</summary>
internal static class OptionRange
{
    /// <exception cref="ValidationException"><paramref name="value"/> is outside [<paramref name="min"/>, <paramref name="max"/>].</exception>
    public static void Check<T>(T value, T min, T max, string name)
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            throw new ValidationException(string.Format(CultureInfo.InvariantCulture, "The field {0} must be between {1} and {2}.", name, min, max));
        }
    }
}
