using System.Runtime.CompilerServices;
using CompanyOs.Events;
using CompanyOs.Events.Postgres;
using CompanyOs.Events.Sqlite;

namespace CompanyOs.Agents.Leases;

/// <summary>Finds the lease store that belongs to an event store.</summary>
public static class RunLeaseStore
{
    private static readonly ConditionalWeakTable<IEventStore, IRunLeaseStore> Stores = [];

    /// <summary>
    /// The run leases next to <paramref name="store"/>'s events: a <c>run_leases</c> table in the same database for
    /// <see cref="SqliteEventStore"/> and <see cref="PostgresEventStore"/> (shared by every process on it), in memory for
    /// any other store. The same event store object always gets the same lease store, so runtimes sharing one in-memory
    /// event store also share its leases. Nothing is created until the first call.
    /// </summary>
    public static IRunLeaseStore For(IEventStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Stores.GetValue(store, static s => s switch
        {
            SqliteEventStore sqlite => SqlRunLeaseStore.ForSqlite(sqlite),
            PostgresEventStore postgres => SqlRunLeaseStore.ForPostgres(postgres),
            _ => new InMemoryRunLeaseStore(),
        });
    }

    /// <summary>
    /// Makes <paramref name="leases"/> the lease store of <paramref name="store"/> from now on — for an event store that
    /// wraps another (a decorator), whose leases must live in the wrapped store's database, or for a test's own lease store.
    /// </summary>
    public static void Use(IEventStore store, IRunLeaseStore leases)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(leases);
        Stores.AddOrUpdate(store, leases);
    }
}
