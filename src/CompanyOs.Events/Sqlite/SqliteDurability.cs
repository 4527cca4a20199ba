namespace CompanyOs.Events.Sqlite;

/// <summary>How hard a SQLite commit works to survive a crash (the <c>synchronous</c> pragma, in WAL mode).</summary>
public enum SqliteDurability
{
    /// <summary>
    /// <c>synchronous=FULL</c>: every commit is fsynced before the append returns. An acknowledged event survives a process
    /// crash and a power loss or OS crash. The default; concurrent appends are committed in groups to share the fsync.
    /// </summary>
    Full = 0,

    /// <summary>
    /// <c>synchronous=NORMAL</c>: commits reach the OS but the WAL is fsynced only at checkpoints. An acknowledged event
    /// survives a process crash (kill -9) but the last commits can be lost (never corrupted) on power loss or OS crash.
    /// Much faster for single appends; choose it only where that window is acceptable.
    /// </summary>
    Normal = 1,
}
