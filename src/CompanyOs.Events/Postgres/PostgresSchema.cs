using System.Globalization;
using Npgsql;

namespace CompanyOs.Events.Postgres;

/// <summary>Creates and migrates the schema on open; an advisory lock makes concurrent openers (several processes) do it once.</summary>
internal static class PostgresSchema
{
    /// <summary>Advisory lock class of this store ('EVTS'); object 0 guards migrations, others are stream hashes.</summary>
    public const int LockClass = 0x45565453;

    /// <summary>Advisory lock class ('EVTW') of the writers' lock: every append holds it shared from before it takes positions until it ends.</summary>
    public const int WriterLockClass = 0x45565457;

    /// <summary>
    /// The writers' lock of one schema: <c>pg_advisory_xact_lock_shared(WriterLockClass, key)</c>. Taken before the
    /// positions and held to commit or rollback, it makes every append that may still commit a position visible in
    /// <c>pg_locks</c> (see <see cref="PostgresSafePosition"/>). Shared, so writers never wait for each other.
    /// </summary>
    public static string WriterLockSql(string schema) => $"pg_advisory_xact_lock_shared({WriterLockClass}, {WriterKey(schema)})";

    /// <summary>The writers' lock key of a schema: a stable non-negative hash of its name (FNV-1a).</summary>
    public static int WriterKey(string schema)
    {
        var hash = 2166136261u;
        foreach (var c in schema)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & 0x7FFFFFFF);
    }

    /// <summary>The sequence handing out global positions (schema version 2 on).</summary>
    public static string PositionSequence(string schema) => Quote(schema) + ".positions";

    /// <summary>Each entry migrates from version index to index + 1; <c>{s}</c> is the quoted schema. Never edit a shipped entry.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE {s}.events (
            position   bigint      PRIMARY KEY,
            stream_id  text        COLLATE "C" NOT NULL,
            version    bigint      NOT NULL,
            event_id   uuid        NOT NULL,
            type       text        NOT NULL,
            data       jsonb       NOT NULL,
            metadata   jsonb       NOT NULL,
            org_id     text,
            created_at timestamptz NOT NULL,
            CONSTRAINT events_stream_version UNIQUE (stream_id, version),
            CONSTRAINT events_stream_event_id UNIQUE (stream_id, event_id)
        );
        CREATE INDEX events_by_org ON {s}.events (org_id, position) WHERE org_id IS NOT NULL;
        CREATE TABLE {s}.streams (
            stream_id  text        COLLATE "C" PRIMARY KEY,
            version    bigint      NOT NULL,
            org_id     text,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        );
        CREATE INDEX streams_by_org ON {s}.streams (org_id, stream_id) WHERE org_id IS NOT NULL;
        CREATE TABLE {s}.head (id int PRIMARY KEY CHECK (id = 1), position bigint NOT NULL);
        INSERT INTO {s}.head (id, position) VALUES (1, 0);
        CREATE FUNCTION {s}.events_append_only() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$;
        CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {s}.events
            FOR EACH STATEMENT EXECUTE FUNCTION {s}.events_append_only();
        """,

        // 2: positions come from a sequence instead of the one-row head (which serialized every append). The head is
        // locked first, so an append of an older process still in flight finishes before the sequence is set past it;
        // dropping it makes older processes fail loudly instead of handing out positions the sequence also hands out.
        """
        LOCK TABLE {s}.head IN ACCESS EXCLUSIVE MODE;
        CREATE SEQUENCE {s}.positions AS bigint MINVALUE 1 START 1 CACHE 1 NO CYCLE;
        SELECT setval('{s}.positions', h) FROM (
            SELECT GREATEST((SELECT position FROM {s}.head WHERE id = 1), (SELECT COALESCE(MAX(position), 0) FROM {s}.events)) AS h) AS x
        WHERE h > 0;
        DROP TABLE {s}.head;
        """,
    ];

    public static int CurrentVersion => Migrations.Length;

    public static async Task<int> MigrateAsync(NpgsqlDataSource dataSource, string schema, string where, CancellationToken cancellationToken)
    {
        var s = Quote(schema);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, tx, $"SELECT pg_advisory_xact_lock({LockClass}, 0)", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, tx, $"CREATE SCHEMA IF NOT EXISTS {s}", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection, tx, $"CREATE TABLE IF NOT EXISTS {s}.schema_version (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", cancellationToken)
            .ConfigureAwait(false);
        await using var read = new NpgsqlCommand($"SELECT COALESCE(MAX(version), 0) FROM {s}.schema_version", connection, tx);
        var found = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (found > CurrentVersion)
        {
            throw new EventStoreException($"Event store {where} has schema version {found}, newer than this build supports ({CurrentVersion}). Upgrade CompanyOS.");
        }

        for (var v = found; v < CurrentVersion; v++)
        {
            await ExecuteAsync(connection, tx, Migrations[v].Replace("{s}", s, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, tx, string.Create(CultureInfo.InvariantCulture, $"INSERT INTO {s}.schema_version (version) VALUES ({v + 1})"), cancellationToken)
                .ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return found;
    }

    public static string Quote(string schema) => "\"" + schema + "\"";

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
