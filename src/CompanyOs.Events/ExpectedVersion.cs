namespace CompanyOs.Events;

/// <summary>The optimistic-concurrency expectation of an append.</summary>
public readonly record struct ExpectedVersion
{
    private const long AnyValue = -2;
    private const long NoStreamValue = -1;

    private ExpectedVersion(long value) => Value = value;

    /// <summary>-2 = any, -1 = no stream, otherwise the exact current version (version of the last event).</summary>
    public long Value { get; }

    /// <summary>Append whatever the stream's state.</summary>
    public static ExpectedVersion Any { get; } = new(AnyValue);

    /// <summary>The stream must not exist yet.</summary>
    public static ExpectedVersion NoStream { get; } = new(NoStreamValue);

    public bool IsAny => Value == AnyValue;

    public bool IsNoStream => Value == NoStreamValue;

    /// <summary>The stream's last event must have exactly this version.</summary>
    public static ExpectedVersion Exactly(long version)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        return new ExpectedVersion(version);
    }

    public override string ToString() => IsAny ? "any" : IsNoStream ? "no stream" : Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
