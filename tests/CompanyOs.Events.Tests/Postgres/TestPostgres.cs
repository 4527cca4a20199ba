using Npgsql;

namespace CompanyOs.Events.Tests.Postgres;

/// <summary>The throw-away server started by scripts/test.sh. Missing configuration fails the test: CI must really run these.</summary>
internal static class TestPostgres
{
    public const string Variable = "COMPANYOS_TEST_POSTGRES";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set. Run ./scripts/test.sh (it starts a throw-away PostgreSQL), or in your shell: "
                + "source scripts/postgres.sh && start_test_postgres");

    /// <summary>A schema name no other test uses.</summary>
    public static string NewSchema() => "evt_" + Guid.NewGuid().ToString("N");

    public static async Task DropSchemaAsync(string schema)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        await command.ExecuteNonQueryAsync();
    }
}
