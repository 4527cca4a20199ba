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
        // 3: event ids as 16-byte BLOBs in a new column, event_uuid (the GUID's bytes in RFC 4122 order, so hex(event_uuid)
        // reads as the id without its dashes), instead of event_id's 36-character text: smaller rows and a smaller
        // idempotency index, whose random ids spread every batch over its leaves (fewer pages written per batch). SQLite
        // cannot change a column's type in place: the table is rebuilt (new table, every row copied with its position, drop,
        // rename; indexes and triggers recreated) inside the open's write transaction, so a failure leaves the file as it
        // was. A text id in the canonical form (what the store always wrote) becomes its 16 bytes; any other text (a row
        // written by hand) is copied unchanged and still reads back as before (GUID parsing of the text). The column has a
        // new name so that a process still running schema 2 fails its next append or read loudly (no column event_id)
        // instead of writing text ids the idempotency index would not match.
        """
        CREATE TABLE events_v3 (
            position   INTEGER PRIMARY KEY,
            stream_id  TEXT    NOT NULL,
            version    INTEGER NOT NULL,
            event_uuid BLOB    NOT NULL,
            type       TEXT    NOT NULL,
            data       TEXT    NOT NULL,
            metadata   TEXT    NOT NULL,
            org_id     TEXT,
            created_at INTEGER NOT NULL,
            UNIQUE (stream_id, version),
            UNIQUE (stream_id, event_uuid)
        );
        INSERT INTO events_v3 (position, stream_id, version, event_uuid, type, data, metadata, org_id, created_at)
        SELECT position, stream_id, version,
               CASE WHEN typeof(event_id) = 'text' AND length(event_id) = 36
                         AND substr(event_id, 9, 1) = '-' AND substr(event_id, 14, 1) = '-'
                         AND substr(event_id, 19, 1) = '-' AND substr(event_id, 24, 1) = '-'
                         AND length(unhex(replace(event_id, '-', ''))) = 16
                    THEN unhex(replace(event_id, '-', ''))
                    ELSE event_id END,
               type, data, metadata, org_id, created_at
        FROM events ORDER BY position;
        DROP TABLE events;
        ALTER TABLE events_v3 RENAME TO events;
        CREATE INDEX events_by_org ON events (org_id, position) WHERE org_id IS NOT NULL;
        CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        """,
        // 4: org-filtered reads find an org's events through org_runs — one row per run of consecutive positions of one org
        // (the writer adds one per append and org: a 1,000-event batch of one org is one row) — instead of the index
        // events_by_org (org_id, position), which took one entry per event (about a fifth of a batch's SQLite work). A run
        // [first_position, last_position] holds no event of another org, and every event that names an org is in exactly
        // one run of it. Existing events are grouped into runs of consecutive positions per org (gaps and islands: a
        // position minus its rank within its org is constant along a run). The events' org column is renamed to org so that
        // a process still running schema 3 (it would append events without their runs, which org-filtered reads would then
        // miss) fails its next append or org-filtered read loudly (no column org_id) instead; one opening the file later is
        // refused (newer schema). Inside the open's write transaction, like every migration: a failure leaves the file as it was.
        """
        CREATE TABLE org_runs (
            org_id         TEXT    NOT NULL,
            first_position INTEGER NOT NULL,
            last_position  INTEGER NOT NULL,
            PRIMARY KEY (org_id, first_position)
        ) WITHOUT ROWID;
        INSERT INTO org_runs (org_id, first_position, last_position)
        SELECT org_id, MIN(position), MAX(position)
        FROM (SELECT org_id, position, position - ROW_NUMBER() OVER (PARTITION BY org_id ORDER BY position) AS run
              FROM events WHERE org_id IS NOT NULL)
        GROUP BY org_id, run;
        DROP INDEX events_by_org;
        ALTER TABLE events RENAME COLUMN org_id TO org;
        CREATE TRIGGER org_runs_append_only_update BEFORE UPDATE ON org_runs BEGIN SELECT RAISE(ABORT, 'org runs are append-only'); END;
        CREATE TRIGGER org_runs_append_only_delete BEFORE DELETE ON org_runs BEGIN SELECT RAISE(ABORT, 'org runs are append-only'); END;
        """,
        // 5: org spans instead of org runs: a row only where the org changes along the position order, so that an append of
        // the org the last org-naming event named writes nothing for its org (a store of one org writes one row, ever; schema
        // 4 wrote one per append). A span [first_position, last_position] is a maximal stretch of positions over which every
        // event that names an org names org_id (events without an org inside it are skipped by the reads). The last span
        // (the org of the last event that names one) is open: its last_position is the largest integer (2^63 - 1), so it
        // reaches the head and reads treat it like any other (a nullable column would cost the reads their sort-free plan:
        // SQLite then no longer takes the key as distinct). When another org's event comes, the writer closes it
        // (last_position := the position of its org's last event) and opens the new org's: the one update the table allows
        // (a trigger refuses any other change and every delete). Existing events are grouped into spans by gaps and islands
        // over the events that name an org (in position order, an event's rank among all of them minus its rank within its
        // org is constant along a span). The table has a new name so that a process still running schema 4 (its appends
        // would add runs no read looks at) fails its next org-naming append or org-filtered read loudly (no table org_runs)
        // instead; one opening the file later is refused (newer schema). Inside the open's write transaction, like every
        // migration: a failure leaves the file as it was.
        """
        CREATE TABLE org_spans (
            org_id         TEXT    NOT NULL,
            first_position INTEGER NOT NULL,
            last_position  INTEGER NOT NULL,
            PRIMARY KEY (org_id, first_position)
        ) WITHOUT ROWID;
        INSERT INTO org_spans (org_id, first_position, last_position)
        SELECT org, MIN(position),
               CASE WHEN MAX(position) = (SELECT MAX(position) FROM events WHERE org IS NOT NULL) THEN 9223372036854775807 ELSE MAX(position) END
        FROM (SELECT org, position,
                     ROW_NUMBER() OVER (ORDER BY position) - ROW_NUMBER() OVER (PARTITION BY org ORDER BY position) AS span
              FROM events WHERE org IS NOT NULL)
        GROUP BY org, span;
        DROP TABLE org_runs;
        CREATE TRIGGER org_spans_close_only BEFORE UPDATE ON org_spans
        WHEN OLD.last_position <> 9223372036854775807 OR NEW.last_position >= 9223372036854775807 OR NEW.last_position < OLD.first_position
             OR NEW.org_id IS NOT OLD.org_id OR NEW.first_position IS NOT OLD.first_position
        BEGIN SELECT RAISE(ABORT, 'org spans are append-only (an open span may only be closed)'); END;
        CREATE TRIGGER org_spans_append_only_delete BEFORE DELETE ON org_spans BEGIN SELECT RAISE(ABORT, 'org spans are append-only'); END;
        """,
    ];

    public static int CurrentVersion => Migrations.Length;

    /// <summary>
    /// Brings the database to <see cref="CurrentVersion"/> (tests: to <paramref name="targetVersion"/>, to build a file at an
    /// older schema with the shipped migrations); returns the version it found.
    /// </summary>
    public static int Migrate(SqliteConnection connection, string databasePath, long nowMicros, int? targetVersion = null)
    {
        var target = targetVersion ?? CurrentVersion;
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

            for (var v = found; v < target; v++)
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
