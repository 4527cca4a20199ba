using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace CompanyOs.Prompts.Versioning;

/// <summary>
/// A template version: <c>major[.minor[.patch]][-prerelease]</c>, e.g. <c>1</c>, <c>1.0</c>, <c>2.1.3</c>, <c>2.0-beta.1</c>.
/// Ordered semantically (<c>1.10</c> &gt; <c>1.9</c>; missing parts count as 0, so <c>1</c> == <c>1.0</c>; a pre-release
/// sorts before its release). <see cref="ToString"/> returns the text as written in the file.
/// </summary>
public sealed class PromptVersion : IComparable<PromptVersion>, IEquatable<PromptVersion>
{
    private readonly int[] _numbers;
    private readonly string[] _prerelease;

    private PromptVersion(string text, int[] numbers, string[] prerelease)
    {
        Text = text;
        _numbers = numbers;
        _prerelease = prerelease;
    }

    /// <summary>The version as written.</summary>
    public string Text { get; }

    /// <summary>True for versions with a <c>-prerelease</c> suffix.</summary>
    public bool IsPrerelease => _prerelease.Length > 0;

    /// <summary>Parses <paramref name="text"/>; returns false (and null) when it is not a version.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out PromptVersion? version)
    {
        version = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64)
        {
            return false;
        }

        var trimmed = text.Trim();
        var core = trimmed;
        string[] prerelease = [];
        var dash = trimmed.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            core = trimmed[..dash];
            prerelease = trimmed[(dash + 1)..].Split('.');
            if (prerelease.Any(p => p.Length == 0 || !p.All(c => char.IsAsciiLetterOrDigit(c))))
            {
                return false;
            }
        }

        var parts = core.Split('.');
        if (parts.Length > 4)
        {
            return false;
        }

        var numbers = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0 || !parts[i].All(char.IsAsciiDigit)
                || !int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return false;
            }
        }

        version = new PromptVersion(trimmed, numbers, prerelease);
        return true;
    }

    /// <summary>Parses <paramref name="text"/> or throws <see cref="FormatException"/>.</summary>
    public static PromptVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"'{text}' is not a version (expected e.g. 1, 1.2 or 1.2.3-beta).");

    /// <inheritdoc />
    public int CompareTo(PromptVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var length = Math.Max(_numbers.Length, other._numbers.Length);
        for (var i = 0; i < length; i++)
        {
            var diff = NumberAt(i).CompareTo(other.NumberAt(i));
            if (diff != 0)
            {
                return diff;
            }
        }

        return ComparePrerelease(_prerelease, other._prerelease);
    }

    /// <inheritdoc />
    public bool Equals(PromptVersion? other) => other is not null && CompareTo(other) == 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PromptVersion other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        var significant = _numbers.Length;
        while (significant > 0 && _numbers[significant - 1] == 0)
        {
            significant--;
        }

        for (var i = 0; i < significant; i++)
        {
            hash.Add(_numbers[i]);
        }

        foreach (var p in _prerelease)
        {
            hash.Add(p, StringComparer.OrdinalIgnoreCase);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    public static bool operator ==(PromptVersion? left, PromptVersion? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(PromptVersion? left, PromptVersion? right) => !(left == right);

    public static bool operator <(PromptVersion? left, PromptVersion? right) => left is null ? right is not null : left.CompareTo(right) < 0;

    public static bool operator <=(PromptVersion? left, PromptVersion? right) => left is null || left.CompareTo(right) <= 0;

    public static bool operator >(PromptVersion? left, PromptVersion? right) => left is not null && left.CompareTo(right) > 0;

    public static bool operator >=(PromptVersion? left, PromptVersion? right) => left is null ? right is null : left.CompareTo(right) >= 0;

    private int NumberAt(int index) => index < _numbers.Length ? _numbers[index] : 0;

    private static int ComparePrerelease(string[] left, string[] right)
    {
        if (left.Length == 0 || right.Length == 0)
        {
            // A release (no suffix) is newer than any of its pre-releases.
            return right.Length.CompareTo(left.Length);
        }

        for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
        {
            var leftNumeric = int.TryParse(left[i], NumberStyles.None, CultureInfo.InvariantCulture, out var l);
            var rightNumeric = int.TryParse(right[i], NumberStyles.None, CultureInfo.InvariantCulture, out var r);
            var diff = (leftNumeric, rightNumeric) switch
            {
                (true, true) => l.CompareTo(r),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.Compare(left[i], right[i], StringComparison.OrdinalIgnoreCase),
            };
            if (diff != 0)
            {
                return diff;
            }
        }

        return left.Length.CompareTo(right.Length);
    }
}
