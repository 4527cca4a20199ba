using System.Globalization;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Sqlite;

/// <summary>Creates and migrates the schema on open, inside a write transaction so concurrent openers do it once.</summary>
internal static class SqliteSchema
{
    /// <summary>Each entry migrates from version index to index + 1. Never edit a shipped entry; append a new one.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE events (
            position   INTEGER PRIMARY KEY,
            stream_id  TEXT    NOT NULL,
            version    INTEGER NOT NULL,
            event_id   TEXT    NOT NULL,
            type       TEXT    NOT NULL,
            data       TEXT    NOT NULL,
            metadata   TEXT    NOT NULL,
            org_id     TEXT,
            created_at INTEGER NOT NULL,
            UNIQUE (stream_id, version),
            UNIQUE (stream_id, event_id)
        );
        CREATE INDEX events_by_org ON events (org_id, position) WHERE org_id IS NOT NULL;
        CREATE TABLE streams (
            stream_id  TEXT    NOT NULL PRIMARY KEY,
            version    INTEGER NOT NULL,
            org_id     TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX streams_by_org ON streams (org_id, stream_id) WHERE org_id IS NOT NULL;
        CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        """,
        // 2: a stream's version and latest append time are its last event's, read from the (stream_id, version) index, instead
        // of a row rewritten by every append (one page less per commit). The row keeps what is written once: the stream's
        // existence, its org and its creation time. A process still running schema 1 is refused on open (newer schema); one
        // already open fails its next append on the missing column instead of writing a stale version.
        """
        ALTER TABLE streams DROP COLUMN version;
        ALTER TABLE streams DROP COLUMN updated_at;
        """,
    ];

    public static int CurrentVersion => Migrations.Length;

    /// <summary>Brings the database to <see cref="CurrentVersion"/>; returns the version it found.</summary>
    public static int Migrate(SqliteConnection connection, string databasePath, long nowMicros)
    {
        Execute(connection, "BEGIN IMMEDIATE");
        try
        {
            Execute(connection, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)");
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
            var found = Convert.ToInt32(read.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (found > CurrentVersion)
            {
                throw new EventStoreException(
                    $"Event store '{databasePath}' has schema version {found}, newer than this build supports ({CurrentVersion}). Upgrade CompanyOS.");
            }

            for (var v = found; v < CurrentVersion; v++)
            {
                Execute(connection, Migrations[v]);
                using var mark = connection.CreateCommand();
                mark.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES ($v, $at)";
                mark.Parameters.AddWithValue("$v", v + 1);
                mark.Parameters.AddWithValue("$at", nowMicros);
                mark.ExecuteNonQuery();
            }

            Execute(connection, "COMMIT");
            return found;
        }
        catch
        {
            Execute(connection, "ROLLBACK");
            throw;
        }
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
