namespace CompanyOs.Testing;

/// <summary>
/// The PostgreSQL event store's schema version 1 (positions handed out by the one-row <c>head</c> table) exactly as it
/// shipped: its tables and indexes, written once for the two places that still build it — the migration tests (a
/// version-1 database must upgrade in place) and the benchmarks' head-row baseline (<c>LegacyHeadRowAppender</c>).
/// Not compiled into every test project (it is outside <c>tests/Shared/*.cs</c>); each of the two links this file.
/// </summary>
internal static class PostgresSchemaV1
{
    /// <summary>Tables, indexes and the head row; <c>{s}</c> stands for the quoted schema name.</summary>
    public const string Tables = """
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
        """;

    /// <summary><paramref name="sql"/> with <c>{s}</c> replaced by <paramref name="quotedSchema"/>.</summary>
    public static string For(string sql, string quotedSchema) => sql.Replace("{s}", quotedSchema, StringComparison.Ordinal);
}
