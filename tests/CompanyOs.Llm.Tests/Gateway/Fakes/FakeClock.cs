using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Llm.Tests.Gateway.Fakes;

public static class FakeClock
{
    public static FakeTimeProvider Create() => new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>
    /// Lets pending work settle (the observed counter stops changing for a few real milliseconds) before each step of fake time,
    /// so that everything recorded happens at the exact fake instant it was released. Bounded.
    /// </summary>
    public static async Task AdvanceUntilAsync(FakeTimeProvider time, Func<bool> done, Func<int> progress, TimeSpan step, int maxSteps = 5_000, Func<bool>? ready = null)
    {
        for (var i = 0; i < maxSteps; i++)
        {
            // Under heavy load a released waiter may need a while to reach the provider: wait for it (bounded) before moving time.
            for (var wait = 0; ready is not null && !ready() && wait < 2_000; wait++)
            {
                await Task.Delay(5);
            }

            await SettleAsync(progress);
            if (ready is not null && !ready())
            {
                continue;
            }

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
