namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>A process-local <see cref="ISpendStore"/>; one lock makes reserve-all-or-nothing atomic.</summary>
public sealed class InMemorySpendStore : ISpendStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<BudgetScope, (SpendAmount Spent, SpendAmount Reserved)> _accounts = [];

    public ValueTask<ReservationResult> TryReserveAsync(IReadOnlyList<BudgetCheck> checks, SpendAmount amount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checks);
        lock (_lock)
        {
            foreach (var check in checks)
            {
                var (spent, reserved) = _accounts.GetValueOrDefault(check.Scope);
                var total = spent + reserved + amount;
                if (!check.Limit.Allows(total))
                {
                    return ValueTask.FromResult(new ReservationResult(false, check, spent + reserved));
                }
            }

            foreach (var check in checks)
            {
                var (spent, reserved) = _accounts.GetValueOrDefault(check.Scope);
                _accounts[check.Scope] = (spent, reserved + amount);
            }
        }

        return ValueTask.FromResult(ReservationResult.Grant);
    }

    public ValueTask SettleAsync(IReadOnlyList<BudgetCheck> checks, SpendAmount reserved, SpendAmount actual, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checks);
        lock (_lock)
        {
            foreach (var check in checks)
            {
                var (spent, held) = _accounts.GetValueOrDefault(check.Scope);
                _accounts[check.Scope] = (spent + actual, held - reserved);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<SpendAmount> GetSpentAsync(BudgetScope scope, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_accounts.GetValueOrDefault(scope).Spent);
        }
    }
}
