using Microsoft.Extensions.Logging;

namespace CompanyOs.Events.Sqlite;

/// <summary>Source-generated log messages of the SQLite store.</summary>
internal static partial class SqliteLog
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Event store {Path} opened (schema {From} -> {To}, durability {Durability})")]
    public static partial void Opened(ILogger logger, string path, int from, int to, SqliteDurability durability);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Event store {Path}: background WAL checkpoint failed (SQLite code {Code}); the writer checkpoints itself past the hard cap")]
    public static partial void CheckpointFailed(ILogger logger, Exception? exception, string path, int code);
}
