using CompanyOs.Events.Postgres;
using CompanyOs.Events.Tests.Contract;
using Npgsql;

namespace CompanyOs.Events.Tests.Postgres;

public sealed class PostgresEventStoreContractTests : EventStoreContract
{
    private readonly string _schema = TestPostgres.NewSchema();

    protected override async Task<IEventStore> OpenStoreAsync(EventStoreOptions options, TimeProvider timeProvider)
        => await PostgresEventStore.OpenAsync(
            new PostgresEventStoreOptions { ConnectionString = TestPostgres.ConnectionString, Schema = _schema, Common = options }, timeProvider);

    protected override async Task<bool> StoreRawEventAsync(IEventStore store, string streamId, Guid eventId, string type, string dataJson, string metadataJson)
    {
        await using var dataSource = NpgsqlDataSource.Create(TestPostgres.ConnectionString);
        await using var command = dataSource.CreateCommand($"""
            SELECT {PostgresSchema.WriterLockSql(_schema)};
            WITH h AS (SELECT nextval('"{_schema}".positions') AS position),
            v AS (SELECT COALESCE((SELECT version FROM "{_schema}".streams WHERE stream_id = @s), -1) + 1 AS version),
            ins AS (INSERT INTO "{_schema}".events (position, stream_id, version, event_id, type, data, metadata, org_id, created_at)
                    SELECT h.position, @s, v.version, @id, @type, @data::jsonb, @meta::jsonb, NULL, now() FROM h, v)
            INSERT INTO "{_schema}".streams (stream_id, version, org_id, created_at, updated_at) SELECT @s, v.version, NULL, now(), now() FROM v
            ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version
            """);
        command.Parameters.AddWithValue("s", streamId);
        command.Parameters.AddWithValue("id", eventId);
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("data", dataJson);
        command.Parameters.AddWithValue("meta", metadataJson);
        try
        {
            await command.ExecuteNonQueryAsync();
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidTextRepresentation)
        {
            return false;
        }
    }

    protected override Task DeleteStorageAsync() => TestPostgres.DropSchemaAsync(_schema);
}
