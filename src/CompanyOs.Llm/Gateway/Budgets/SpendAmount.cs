namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>Money and tokens (input + output) spent or reserved.</summary>
public readonly record struct SpendAmount(decimal Usd, long Tokens)
{
    public static SpendAmount operator +(SpendAmount a, SpendAmount b) => new(a.Usd + b.Usd, a.Tokens + b.Tokens);

    public static SpendAmount operator -(SpendAmount a, SpendAmount b) => new(a.Usd - b.Usd, a.Tokens - b.Tokens);

    public static SpendAmount Add(SpendAmount a, SpendAmount b) => a + b;

    public static SpendAmount Subtract(SpendAmount a, SpendAmount b) => a - b;
}
