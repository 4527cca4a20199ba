namespace CompanyOs.Prompts.Tests.Support;

/// <summary>Polls a condition with a deadline instead of sleeping a fixed time.</summary>
internal static class Eventually
{
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan timeout, Action? betweenPolls = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            betweenPolls?.Invoke();
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return condition();
    }
}
