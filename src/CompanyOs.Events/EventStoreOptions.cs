namespace CompanyOs.Events;

/// <summary>Limits and timings shared by every <see cref="IEventStore"/> implementation.</summary>
public sealed record EventStoreOptions
{
    /// <summary>Largest accepted event: UTF-8 bytes of its JSON data plus its JSON metadata. Default 4 MiB.</summary>
    public int MaxEventBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Most events accepted in one append. Default 10,000.</summary>
    public int MaxEventsPerAppend { get; init; } = 10_000;

    /// <summary>Longest accepted stream id, in UTF-16 characters. Default 256.</summary>
    public int MaxStreamIdLength { get; init; } = 256;

    /// <summary>Longest accepted event type, in UTF-16 characters. Default 256.</summary>
    public int MaxTypeLength { get; init; } = 256;

    /// <summary>How often a subscription polls the store for events written by other processes. Default 500 ms.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Rows fetched per database round trip while reading. Default 512.</summary>
    public int ReadPageSize { get; init; } = 512;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        Require(MaxEventBytes > 0, MaxEventBytes, nameof(MaxEventBytes), "must be positive");
        Require(MaxEventsPerAppend > 0, MaxEventsPerAppend, nameof(MaxEventsPerAppend), "must be positive");
        Require(MaxStreamIdLength is > 0 and <= 4096, MaxStreamIdLength, nameof(MaxStreamIdLength), "must be between 1 and 4096");
        Require(MaxTypeLength is > 0 and <= 4096, MaxTypeLength, nameof(MaxTypeLength), "must be between 1 and 4096");
        Require(PollInterval > TimeSpan.Zero, PollInterval, nameof(PollInterval), "must be positive");
        Require(ReadPageSize is > 0 and <= 100_000, ReadPageSize, nameof(ReadPageSize), "must be between 1 and 100000");
    }

    private static void Require(bool ok, object value, string name, string rule)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException($"EventStoreOptions.{name}", value, $"EventStoreOptions.{name} {rule} (was {value}).");
        }
    }
}
