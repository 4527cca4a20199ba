using Npgsql;

namespace CompanyOs.Events.Postgres;

/// <summary>The one place where Npgsql and PostgreSQL exceptions become an <see cref="EventStoreException"/>.</summary>
internal static class PostgresErrors
{
    public static EventStoreException Translate(NpgsqlException ex, string where, string operation)
    {
        if (ex is PostgresException pg)
        {
            var transient = pg.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
                or PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.TooManyConnections
                or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CannotConnectNow || pg.IsTransient;
            return new EventStoreException($"Event store {where}: {operation} failed: PostgreSQL {pg.SqlState}: {pg.MessageText}", ex, transient);
        }

        return new EventStoreException($"Event store {where}: {operation} failed: {ex.Message}", ex, ex.IsTransient);
    }
}
