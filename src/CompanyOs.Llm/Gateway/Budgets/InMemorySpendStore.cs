using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>A process-local <see cref="ISpendStore"/>; one lock makes reserve-all-or-nothing atomic.</summary>
public sealed class InMemorySpendStore : ISpendStore
{
    private static readonly ValueTask<ReservationResult> Granted = new(ReservationResult.Grant);

    private readonly Lock _lock = new();
    private readonly Dictionary<BudgetScope, Account> _accounts = [];

    public ValueTask<ReservationResult> TryReserveAsync(IReadOnlyList<BudgetCheck> checks, SpendAmount amount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var found = default(Accounts);
        lock (_lock)
        {
            // One look-up per scope: the accounts found while checking are the ones reserved on (a call has at most a few scopes).
            for (var i = 0; i < checks.Count; i++)
            {
                var check = checks[i];
                var account = _accounts.GetValueOrDefault(check.Scope);
                var committed = account is null ? default : account.Spent + account.Reserved;
                if (!check.Limit.Allows(committed + amount))
                {
                    return new ValueTask<ReservationResult>(new ReservationResult(false, check, committed));
                }

                if (i < Accounts.Length)
                {
                    found[i] = account;
                }
            }

            for (var i = 0; i < checks.Count; i++)
            {
                var account = (i < Accounts.Length ? found[i] : null) ?? GetOrAdd(checks[i].Scope);
                account.Reserved += amount;
            }
        }

        return Granted;
    }

    public ValueTask SettleAsync(IReadOnlyList<BudgetCheck> checks, SpendAmount reserved, SpendAmount actual, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checks);
        lock (_lock)
        {
            for (var i = 0; i < checks.Count; i++)
            {
                var account = GetOrAdd(checks[i].Scope);
                account.Spent += actual;
                account.Reserved -= reserved;
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<SpendAmount> GetSpentAsync(BudgetScope scope, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_accounts.GetValueOrDefault(scope)?.Spent ?? default);
        }
    }

    private Account GetOrAdd(BudgetScope scope)
    {
        ref var account = ref CollectionsMarshal.GetValueRefOrAddDefault(_accounts, scope, out _);
        return account ??= new Account();
    }

    /// <summary>One scope's settled spend and open reservations; changed only under the store's lock.</summary>
    private sealed class Account
    {
        public SpendAmount Spent;

        public SpendAmount Reserved;
    }

    /// <summary>The accounts of the first few checks, found by the check pass and reused by the reserve pass.</summary>
    [InlineArray(Length)]
    private struct Accounts
    {
        public const int Length = 4;

        private Account? _element;
    }
}
