using System.Threading.RateLimiting;

namespace CompanyOs.Llm.Gateway.RateLimiting;

public sealed partial class SlidingWindowLogRateLimiter
{
    private sealed class Waiter(SlidingWindowLogRateLimiter owner, int permits)
    {
        public SlidingWindowLogRateLimiter Owner { get; } = owner;

        public int Permits { get; } = permits;

        public TaskCompletionSource<RateLimitLease> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public WindowLease? Lease { get; set; }
    }
}
