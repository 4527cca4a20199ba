using CompanyOs.Llm.Errors;

namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>The call was refused before reaching a provider because it would take a budget over its limit.</summary>
public sealed class BudgetExceededException : LlmException
{
    public BudgetExceededException(BudgetScope scope, BudgetLimit limit, SpendAmount committed, SpendAmount requested, string message)
        : base(message)
    {
        Scope = scope;
        Limit = limit;
        Committed = committed;
        Requested = requested;
    }

    public BudgetScope Scope { get; }

    public BudgetLimit Limit { get; }

    /// <summary>Spent plus reserved by calls in flight, when the call was refused.</summary>
    public SpendAmount Committed { get; }

    /// <summary>The call's estimated (maximum) spend.</summary>
    public SpendAmount Requested { get; }
}
