using System.Text.RegularExpressions;

namespace CompanyOs.Events.Postgres;

/// <summary>Settings of <see cref="PostgresEventStore"/>.</summary>
public sealed partial record PostgresEventStoreOptions
{
    /// <summary>Npgsql connection string. Required. Never echoed in errors or logs (it may hold a password).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>Schema holding the store's tables; created when missing. Lower-case letters, digits, underscores. Default <c>companyos_events</c>.</summary>
    public string Schema { get; init; } = "companyos_events";

    /// <summary>
    /// How long one global read (a <c>ReadAllAsync</c> page, a subscription poll) waits for appends still in flight below
    /// the newest position — so it also returns events appended just before it — before returning only what is settled.
    /// Events are never skipped: what is not returned yet comes with a later read. Default 5 s.
    /// </summary>
    public TimeSpan InFlightWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Limits and timings common to all stores.</summary>
    public EventStoreOptions Common { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("PostgresEventStoreOptions.ConnectionString is required.", nameof(ConnectionString));
        }

        if (Schema is null || !SchemaName().IsMatch(Schema))
        {
            throw new ArgumentException(
                $"PostgresEventStoreOptions.Schema '{Schema}' is not valid: use 1-63 lower-case letters, digits or underscores, starting with a letter or underscore.",
                nameof(Schema));
        }

        if (InFlightWait < TimeSpan.Zero || InFlightWait > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(InFlightWait), InFlightWait, "PostgresEventStoreOptions.InFlightWait must be between 0 and 10 minutes.");
        }

        ArgumentNullException.ThrowIfNull(Common, nameof(Common));
        Common.Validate();
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();
}
