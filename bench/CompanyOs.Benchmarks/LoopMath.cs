namespace CompanyOs.Benchmarks;

/// <summary>Arithmetic shared by the alternating loops (<c>sqlite-loop</c>, <c>pg-writers</c>).</summary>
internal static class LoopMath
{
    /// <summary>The median of <paramref name="values"/> (the mean of the middle two when their number is even).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
