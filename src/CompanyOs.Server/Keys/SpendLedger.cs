using System.Globalization;
using CompanyOs.Llm.Gateway.Budgets;

namespace CompanyOs.Server.Keys;

/// <summary>Settled budget spend per scope (table <c>budget_spend</c>), so that budgets hold across restarts and instances.</summary>
internal sealed class SpendLedger(StoreDatabase database)
{
    /// <summary>What each of <paramref name="scopes"/> has spent (zero for a scope never charged).</summary>
    public async Task<SpendAmount[]> GetAsync(IReadOnlyList<BudgetScope> scopes, CancellationToken cancellationToken = default)
    {
        var spent = new SpendAmount[scopes.Count];
        await using var connection = await database.OpenAsync(cancellationToken);
        for (var i = 0; i < scopes.Count; i++)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT usd_nanos, tokens FROM budget_spend WHERE scope_kind = @kind AND scope_id = @id";
            command.With("@kind", Kind(scopes[i])).With("@id", scopes[i].Id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                spent[i] = new SpendAmount(
                    StoreDatabase.FromNanos(Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture)),
                    Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
            }
        }

        return spent;
    }

    /// <summary>Adds <paramref name="amount"/> to every scope, in one transaction.</summary>
    public Task AddAsync(IEnumerable<BudgetScope> scopes, SpendAmount amount, CancellationToken cancellationToken = default) =>
        AddAsync(scopes.Distinct().ToDictionary(scope => scope, _ => amount), cancellationToken);

    /// <summary>Adds each scope's amount, all in one transaction.</summary>
    public async Task AddAsync(IReadOnlyDictionary<BudgetScope, SpendAmount> amounts, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var (scope, amount) in amounts)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO budget_spend (scope_kind, scope_id, usd_nanos, tokens) VALUES (@kind, @id, @usd, @tokens)
                ON CONFLICT (scope_kind, scope_id) DO UPDATE
                SET usd_nanos = budget_spend.usd_nanos + excluded.usd_nanos, tokens = budget_spend.tokens + excluded.tokens
                """;
            command.With("@kind", Kind(scope)).With("@id", scope.Id).With("@usd", StoreDatabase.ToNanos(amount.Usd)).With("@tokens", amount.Tokens);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static string Kind(BudgetScope scope) => scope.Kind.ToString().ToLowerInvariant();
}
