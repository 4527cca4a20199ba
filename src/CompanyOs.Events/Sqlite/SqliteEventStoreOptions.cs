namespace CompanyOs.Events.Sqlite;

/// <summary>Settings of <see cref="SqliteEventStore"/>.</summary>
public sealed record SqliteEventStoreOptions
{
    /// <summary>Path of the database file. Its directory is created when missing. Required.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>Commit durability. Default <see cref="SqliteDurability.Full"/>.</summary>
    public SqliteDurability Durability { get; init; } = SqliteDurability.Full;

    /// <summary>
    /// How long a connection waits for a lock held by another connection or process (<c>busy_timeout</c>) before the
    /// operation fails with a transient <see cref="EventStoreException"/>. Default 30 s.
    /// </summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// WAL pages (4 KiB each) written between two checkpoints, which a background thread runs off the appending callers'
    /// path. Once the WAL holds four times this (the hard cap) the appending writer checkpoints what is left itself, as
    /// SQLite's automatic checkpoint would, so that the WAL restarts from its start and stays bounded. Default 2,000
    /// (≈ 8 MB; hard cap ≈ 33 MB). Between 100 and 1,000,000.
    /// </summary>
    public int WalCheckpointPages { get; init; } = 2_000;

    /// <summary>Limits and timings common to all stores.</summary>
    public EventStoreOptions Common { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DatabasePath))
        {
            throw new ArgumentException("SqliteEventStoreOptions.DatabasePath is required.", nameof(DatabasePath));
        }

        if (!Enum.IsDefined(Durability))
        {
            throw new ArgumentOutOfRangeException(nameof(Durability), Durability, "SqliteEventStoreOptions.Durability is not a known value.");
        }

        if (BusyTimeout < TimeSpan.Zero || BusyTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(BusyTimeout), BusyTimeout, "SqliteEventStoreOptions.BusyTimeout must be between 0 and 10 minutes.");
        }

        if (WalCheckpointPages is < 100 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(WalCheckpointPages), WalCheckpointPages, "SqliteEventStoreOptions.WalCheckpointPages must be between 100 and 1,000,000.");
        }

        ArgumentNullException.ThrowIfNull(Common, nameof(Common));
        Common.Validate();
    }
}
