using System.Data.Common;
using System.Globalization;
using CompanyOs.Server.Keys;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Server.Tests.Keys;

/// <summary>The SQLite store caps each connection's page cache (SQLite's default lets every pooled connection keep 2 MB).</summary>
public sealed class SqliteStoreCacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_connection_of_the_sqlite_store_keeps_at_most_256_KiB_of_page_cache_also_when_reused_from_the_pool()
    {
        var path = Path.Combine(Path.GetTempPath(), "companyos-server-tests", Guid.NewGuid().ToString("N"), "keys.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var database = new SqliteStoreDatabase(path);

        for (var round = 0; round < 3; round++)
        {
            // Two at once (two pooled handles), then the same handles again from the pool.
            await using var first = await database.OpenAsync(Ct);
            await using var second = await database.OpenAsync(Ct);
            Assert.Equal(-256, await CacheSizeAsync(first));
            Assert.Equal(-256, await CacheSizeAsync(second));
        }

        // The cap is the store's: another connection to the file keeps SQLite's default.
        await using var plain = new SqliteConnection($"Data Source={path};Pooling=False");
        await plain.OpenAsync(Ct);
        Assert.Equal(-2000, await CacheSizeAsync(plain));
    }

    private static async Task<long> CacheSizeAsync(DbConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA cache_size";
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), CultureInfo.InvariantCulture);
    }
}
