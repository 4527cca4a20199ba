namespace CompanyOs.Events;

/// <summary>An append's expected version did not match the stream. Nothing was written.</summary>
public sealed class ConcurrencyException : EventStoreException
{
    public ConcurrencyException(string streamId, ExpectedVersion expected, long? actual)
        : base($"Stream '{streamId}': expected version {expected}, but the stream is at {(actual is null ? "no stream" : actual.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))}.")
    {
        StreamId = streamId;
        Expected = expected;
        Actual = actual;
    }

    public string StreamId { get; }

    public ExpectedVersion Expected { get; }

    /// <summary>The stream's actual version, or null when it does not exist.</summary>
    public long? Actual { get; }
}
