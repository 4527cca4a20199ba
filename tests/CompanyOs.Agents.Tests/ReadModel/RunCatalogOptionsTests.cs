using System.ComponentModel.DataAnnotations;
using CompanyOs.Agents.ReadModel;
using CompanyOs.Events.Sqlite;

namespace CompanyOs.Agents.Tests.ReadModel;

/// <summary>The catalog's settings are range-checked when it is built (by hand since DataAnnotations' Validator is not AOT-safe).</summary>
public sealed class RunCatalogOptionsTests
{
    [Theory]
    [InlineData(0, 512, "MaxCatchUpEvents")]
    [InlineData(10_000, 0, "BatchSize")]
    [InlineData(10_000, 100_001, "BatchSize")]
    public async Task A_setting_out_of_range_fails_naming_it(int maxCatchUp, int batch, string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"catalog-options-{Guid.NewGuid():N}.db");
        var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = path }, cancellationToken: TestContext.Current.CancellationToken);
        try
        {
            var e = Assert.Throws<ValidationException>(() => RunCatalog.For(store, new RunCatalogOptions { MaxCatchUpEvents = maxCatchUp, BatchSize = batch }));

            Assert.Contains($"The field {name} must be between", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            await store.DisposeAsync();
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*"))
            {
                File.Delete(file);
            }
        }
    }
}
