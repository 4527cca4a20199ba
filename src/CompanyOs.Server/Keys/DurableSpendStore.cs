using System.Data.Common;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Server.Hosting;

namespace CompanyOs.Server.Keys;

/// <summary>
/// The gateway's <see cref="ISpendStore"/> over the server's store: settled spend is in <see cref="SpendLedger"/> (it survives
/// restarts, and every instance sharing a PostgreSQL store sees it), the reservations of calls in flight are this process's.
/// One gate makes reserve-all-or-nothing atomic within the process; spend is re-read on every reservation, so another
/// instance's settled calls count at once (its calls still in flight do not).
/// </summary>
internal sealed class DurableSpendStore(SpendLedger ledger, ILogger<DurableSpendStore> logger) : ISpendStore, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<BudgetScope, SpendAmount> _reserved = [];

    public async ValueTask<ReservationResult> TryReserveAsync(IReadOnlyList<BudgetCheck> checks, SpendAmount amount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checks);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var spent = await ledger.GetAsync([.. checks.Select(c => c.Scope)], cancellationToken);
            for (var i = 0; i < checks.Count; i++)
            {
                var committed = spent[i] + _reserved.GetValueOrDefault(checks[i].Scope);
                var total = committed + amount;
                if (total.Usd > checks[i].Limit.MaxUsd || total.Tokens > checks[i].Limit.MaxTokens)
                {
                    return new ReservationResult(false, checks[i], committed);
                }
            }

            foreach (var check in checks)
            {
                _reserved[check.Scope] = _reserved.GetValueOrDefault(check.Scope) + amount;
            }

            return ReservationResult.Grant;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask SettleAsync(IReadOnlyList<BudgetCheck> checks, SpendAmount reserved, SpendAmount actual, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checks);
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            if (actual != default)
            {
                await ledger.AddAsync(checks.Select(c => c.Scope), actual, CancellationToken.None);
            }
        }
        catch (DbException e)
        {
            // The call itself succeeded; failing it now would not unspend the money. Say so loudly instead.
            ServerLog.SpendNotRecorded(logger, string.Join(", ", checks.Select(c => c.Scope.ToString())), actual.Usd, actual.Tokens, e.Message);
        }
        finally
        {
            foreach (var check in checks)
            {
                var left = _reserved.GetValueOrDefault(check.Scope) - reserved;
                if (left == default)
                {
                    _reserved.Remove(check.Scope);
                }
                else
                {
                    _reserved[check.Scope] = left;
                }
            }

            _gate.Release();
        }
    }

    public async ValueTask<SpendAmount> GetSpentAsync(BudgetScope scope, CancellationToken cancellationToken = default) =>
        (await ledger.GetAsync([scope], cancellationToken))[0];

    public void Dispose() => _gate.Dispose();
}
