namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>
/// Durable spend per <see cref="BudgetScope"/>. Reservations make concurrent calls safe: the estimated spend of a call in
/// flight counts against the limit until the call settles with its real spend. In-memory today; Redis for several instances.
/// </summary>
public interface ISpendStore
{
    /// <summary>
    /// Atomically: if for every check <c>spent + reserved + amount</c> stays within the limit, reserve <paramref name="amount"/>
    /// on every scope; otherwise reserve nothing and name the first check that would overflow.
    /// </summary>
    ValueTask<ReservationResult> TryReserveAsync(IReadOnlyList<BudgetCheck> checks, SpendAmount amount, CancellationToken cancellationToken = default);

    /// <summary>Releases a reservation made by <see cref="TryReserveAsync"/> and records <paramref name="actual"/> as spent.</summary>
    ValueTask SettleAsync(IReadOnlyList<BudgetCheck> checks, SpendAmount reserved, SpendAmount actual, CancellationToken cancellationToken = default);

    /// <summary>What a scope has spent (settled calls only).</summary>
    ValueTask<SpendAmount> GetSpentAsync(BudgetScope scope, CancellationToken cancellationToken = default);
}
