using CompanyOs.Events.Sqlite;
using CompanyOs.Events.Tests.Sqlite;

namespace CompanyOs.Events.Tests.CrashSafety;

/// <summary>The kill -9 contract on the SQLite store with its default settings (a subclass varies the checkpoint threshold).</summary>
public class SqliteCrashSafetyTests : CrashSafetyContract
{
    private readonly TempDirectory _directory = new();

    private string DatabasePath => Path.Combine(_directory.Path, "crash.db");

    /// <summary>The store's <see cref="SqliteEventStoreOptions.WalCheckpointPages"/> in the writer and here; null: the default.</summary>
    protected virtual int? CheckpointPages => null;

    protected override string[] ChildArguments => CheckpointPages is { } pages
        ? ["sqlite", DatabasePath, pages.ToString(System.Globalization.CultureInfo.InvariantCulture)]
        : ["sqlite", DatabasePath];

    protected override async Task<IEventStore> OpenStoreAsync()
        => await SqliteEventStore.OpenAsync(CheckpointPages is { } pages
            ? new SqliteEventStoreOptions { DatabasePath = DatabasePath, WalCheckpointPages = pages }
            : new SqliteEventStoreOptions { DatabasePath = DatabasePath });

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
        GC.SuppressFinalize(this);
        return base.DisposeAsync();
    }
}
