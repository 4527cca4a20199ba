namespace CompanyOs.Events.Serialization;

/// <summary>Timestamps are stored as microseconds since the Unix epoch (UTC), the precision PostgreSQL keeps.</summary>
internal static class UnixMicros
{
    public static long From(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset ToDateTimeOffset(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
}
