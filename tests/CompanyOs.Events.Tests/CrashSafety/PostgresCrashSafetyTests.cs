using CompanyOs.Events.Postgres;
using CompanyOs.Events.Tests.Postgres;

namespace CompanyOs.Events.Tests.CrashSafety;

public sealed class PostgresCrashSafetyTests : CrashSafetyContract
{
    private readonly string _schema = TestPostgres.NewSchema();

    protected override bool DensePositions => false;

    protected override string[] ChildArguments => ["postgres", TestPostgres.ConnectionString, _schema];

    protected override async Task<IEventStore> OpenStoreAsync()
        => await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = TestPostgres.ConnectionString, Schema = _schema });

    public override async ValueTask DisposeAsync()
    {
        await TestPostgres.DropSchemaAsync(_schema);
        await base.DisposeAsync();
    }
}
