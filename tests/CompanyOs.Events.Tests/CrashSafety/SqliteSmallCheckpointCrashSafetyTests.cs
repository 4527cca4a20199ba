using CompanyOs.Events.Sqlite;
using CompanyOs.Events.Tests.Sqlite;

namespace CompanyOs.Events.Tests.CrashSafety;

/// <summary>
/// The kill -9 contract with the WAL checkpointed every 100 pages (the minimum): the writer process is killed while its
/// background checkpointer copies the WAL into the database file (or the writer checkpoints itself at the hard cap), and
/// every acknowledged event must still be there, the file intact.
/// </summary>
public sealed class SqliteSmallCheckpointCrashSafetyTests : CrashSafetyContract
{
    private const int CheckpointPages = 100;

    private readonly TempDirectory _directory = new();

    private string DatabasePath => Path.Combine(_directory.Path, "crash.db");

    protected override string[] ChildArguments => ["sqlite", DatabasePath, CheckpointPages.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    protected override async Task<IEventStore> OpenStoreAsync()
        => await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = DatabasePath, WalCheckpointPages = CheckpointPages });

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
