using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Llm.Tests.Gateway.Fakes;

/// <summary>Runs an operation while moving a fake clock forward in small steps, so backoff, Retry-After and breakers elapse at once.</summary>
public static class TimeDriver
{
    public static async Task<T> RunAsync<T>(FakeTimeProvider time, Func<Task<T>> operation, TimeSpan? step = null, int maxSteps = 20_000)
    {
        var task = Task.Run(operation);
        for (var i = 0; !task.IsCompleted; i++)
        {
            if (i >= maxSteps)
            {
                throw new TimeoutException($"The operation did not finish within {maxSteps} steps of fake time.");
            }

            await Task.WhenAny(task, Task.Delay(1));
            if (!task.IsCompleted)
            {
                time.Advance(step ?? TimeSpan.FromMilliseconds(50));
            }
        }

        return await task;
    }

    public static Task RunAsync(FakeTimeProvider time, Func<Task> operation, TimeSpan? step = null) =>
        RunAsync(time, async () =>
        {
            await operation();
            return true;
        }, step);
}
