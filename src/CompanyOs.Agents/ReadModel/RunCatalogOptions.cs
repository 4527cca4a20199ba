using System.ComponentModel.DataAnnotations;

namespace CompanyOs.Agents.ReadModel;

/// <summary>Settings of <see cref="RunCatalog"/>.</summary>
public sealed record RunCatalogOptions
{
    /// <summary>
    /// Most events a query projects before it answers (its catch-up bound): a reader sees its own writes, and a catalog far
    /// behind (a first start over a big store) answers from what it has projected so far instead of stalling. Default 10,000.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxCatchUpEvents { get; init; } = 10_000;

    /// <summary>Events read from the store per projection transaction. Default 512.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; init; } = 512;

    /// <exception cref="ValidationException">A setting is outside its range (named in the message).</exception>
    internal void Validate()
    {
        // By hand, not DataAnnotations' reflection-based Validator: trimming- and Native-AOT-safe.
        Runtime.OptionRange.Check(MaxCatchUpEvents, 1, int.MaxValue, nameof(MaxCatchUpEvents));
        Runtime.OptionRange.Check(BatchSize, 1, 100_000, nameof(BatchSize));
    }
}
