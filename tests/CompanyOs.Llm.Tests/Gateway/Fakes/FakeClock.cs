using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Llm.Tests.Gateway.Fakes;

public static class FakeClock
{
    public static FakeTimeProvider Create() => new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>
    /// Lets pending work settle (the observed counter stops changing for a few real milliseconds) before each step of fake time,
    /// so that everything recorded happens at the exact fake instant it was released. Bounded.
    /// </summary>
    public static async Task AdvanceUntilAsync(FakeTimeProvider time, Func<bool> done, Func<int> progress, TimeSpan step, int maxSteps = 5_000)
    {
        for (var i = 0; i < maxSteps; i++)
        {
            await SettleAsync(progress);
            if (done())
            {
                return;
            }

            time.Advance(step);
        }

        throw new TimeoutException($"Not done after {maxSteps} steps of {step}.");
    }

    private static async Task SettleAsync(Func<int> progress)
    {
        var last = progress();
        for (var quiet = 0; quiet < 3;)
        {
            await Task.Delay(5);
            var now = progress();
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
    }
}
