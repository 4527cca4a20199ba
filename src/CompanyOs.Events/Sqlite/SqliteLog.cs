using Microsoft.Extensions.Logging;

namespace CompanyOs.Events.Sqlite;

/// <summary>Source-generated log messages of the SQLite store.</summary>
internal static partial class SqliteLog
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Event store {Path} opened (schema {From} -> {To}, durability {Durability})")]
    public static partial void Opened(ILogger logger, string path, int from, int to, SqliteDurability durability);
}
