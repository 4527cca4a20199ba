using CompanyOs.Events.Sqlite;

namespace CompanyOs.Events.Tests.Sqlite;

/// <summary>
/// Base for test classes that each run against a fresh SQLite store with default options in their own temp directory,
/// opened before every test and closed (and the directory deleted) after it.
/// </summary>
public abstract class SqliteStoreFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();

    /// <summary>The store under test.</summary>
    protected SqliteEventStore Store { get; private set; } = null!;

    /// <summary>The store's database file, for tests that also open it directly.</summary>
    protected string DatabasePath => Path.Combine(_directory.Path, "events.db");

    /// <summary>The running test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        Store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = DatabasePath }, cancellationToken: Ct);

    public ValueTask DisposeAsync()
    {
        Store.Dispose();
        _directory.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
