using Microsoft.Extensions.Logging;

namespace CompanyOs.Events.Postgres;

/// <summary>Source-generated log messages of the PostgreSQL store.</summary>
internal static partial class PostgresLog
{
    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "Event store {Where} opened (schema version {From} -> {To})")]
    public static partial void Opened(ILogger logger, string where, int from, int to);
}
