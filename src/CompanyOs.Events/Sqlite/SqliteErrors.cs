using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Sqlite;

/// <summary>The one place where <see cref="SqliteException"/> becomes an <see cref="EventStoreException"/>.</summary>
internal static class SqliteErrors
{
    private const int Busy = 5;
    private const int Locked = 6;
    private const int ReadOnly = 8;
    private const int IoError = 10;
    private const int Corrupt = 11;
    private const int Full = 13;
    private const int CantOpen = 14;
    private const int NotADatabase = 26;

    public static EventStoreException Translate(SqliteException ex, string databasePath, string operation)
    {
        var code = ex.SqliteErrorCode;
        var (reason, transient) = code switch
        {
            Busy or Locked => ("the database is locked by another connection or process for longer than the busy timeout", true),
            ReadOnly => ("the database file is read-only", false),
            IoError => ("an I/O error occurred", false),
            Corrupt or NotADatabase => ("the file is not a valid SQLite database or is corrupted", false),
            Full => ("the disk is full", false),
            CantOpen => ("the database file cannot be opened", false),
            _ => ($"SQLite error {code} ({ex.SqliteExtendedErrorCode}): {ex.Message}", false),
        };
        return new EventStoreException($"Event store '{databasePath}': {operation} failed: {reason}.", ex, transient);
    }
}
