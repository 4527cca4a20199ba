using CompanyOs.Events.Sqlite;
using CompanyOs.Events.Tests.Sqlite;

namespace CompanyOs.Events.Tests.CrashSafety;

public sealed class SqliteCrashSafetyTests : CrashSafetyContract
{
    private readonly TempDirectory _directory = new();

    private string DatabasePath => Path.Combine(_directory.Path, "crash.db");

    protected override string[] ChildArguments => ["sqlite", DatabasePath];

    protected override async Task<IEventStore> OpenStoreAsync()
        => await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = DatabasePath });

    protected override Task AssertStorageIntactAsync()
    {
        using var connection = SqliteRawRows.Open(DatabasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", command.ExecuteScalar());
        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        _directory.Dispose();
        return base.DisposeAsync();
    }
}
