using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Redis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace CompanyOs.Llm.Tests.Redis;

public sealed class RedisWindowRateLimiterTests
{
    [Fact]
    public async Task Two_instances_sharing_a_limit_never_exceed_it_in_any_window()
    {
        var prefix = TestRedis.NewPrefix();
        using var a = TestRedis.Connect(prefix, instances: 2);
        using var b = TestRedis.Connect(prefix, instances: 2);
        var options = new SlidingWindowLogOptions { RequestLimit = 5, TokenLimit = 1_000, Window = TimeSpan.FromSeconds(1) };
        using var first = new RedisWindowRateLimiter(a, "provider:shared", options);
        using var second = new RedisWindowRateLimiter(b, "provider:shared", options);
        var random = new Random(7);
        var sizes = Enumerable.Range(0, 30).Select(_ => random.Next(50, 301)).ToArray();
        var granted = new List<(long At, int Tokens)>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));

        await Task.WhenAll(sizes.Select(async (tokens, i) =>
        {
            using var lease = await (i % 2 == 0 ? first : second).AcquireAsync(tokens, timeout.Token);
            Assert.True(lease.IsAcquired);
            lock (granted)
            {
                granted.Add((((RedisWindowRateLimiter.RedisWindowLease)lease).AdmittedAtMicros, tokens));
            }
        }));

        Assert.Equal(sizes.Length, granted.Count);
        const long window = 1_000_000;
        var ordered = granted.OrderBy(g => g.At).ToArray();
        var fullest = 0;
        for (var i = 0; i < ordered.Length; i++)
        {
            var inWindow = ordered.Skip(i).TakeWhile(g => g.At < ordered[i].At + window).ToArray();
            Assert.True(inWindow.Length <= 5, $"{inWindow.Length} requests in the window starting at admission {i}");
            Assert.True(inWindow.Sum(g => g.Tokens) <= 1_000, $"{inWindow.Sum(g => g.Tokens)} tokens in the window starting at admission {i}");
            fullest = Math.Max(fullest, inWindow.Length);
        }

        // Not a per-instance limit in disguise, and not over-restrictive: the shared window does fill up.
        Assert.True(fullest >= 4, $"the fullest window held {fullest} requests");
    }

    [Fact]
    public async Task Without_Redis_each_instance_enforces_its_share_and_warns_once()
    {
        var logger = new FakeLogger();
        using var redis = TestRedis.Connect(TestRedis.NewPrefix(), instances: 3, logger: logger, configuration: TestRedis.ClosedPort());
        using var sut = new RedisWindowRateLimiter(redis, "provider:down", new SlidingWindowLogOptions { RequestLimit = 10, TokenLimit = 3_000 });

        var admitted = 0;
        for (var i = 0; i < 10; i++)
        {
            admitted += (await sut.AttemptAcquireAsync(10, TestContext.Current.CancellationToken)).IsAcquired ? 1 : 0;
        }

        Assert.Equal(3, admitted);
        Assert.Equal(new SlidingWindowLogOptions { RequestLimit = 3, TokenLimit = 1_000, QueueLimit = 0 }, sut.FallbackOptions);
        Assert.False(redis.IsAvailable);
        var warnings = logger.Collector.GetSnapshot().Where(r => r.Id.Id == 4600).ToArray();
        var warning = Assert.Single(warnings);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("limit ÷ 3", warning.Message, StringComparison.Ordinal);
        // A request larger than this instance's share of the token limit is refused, not thrown.
        Assert.False((await sut.AttemptAcquireAsync(2_000, TestContext.Current.CancellationToken)).IsAcquired);
    }

    [Fact]
    public async Task Redis_going_down_falls_back_to_the_share_and_its_return_shares_the_limit_again()
    {
        using var server = await PrivateRedis.StartAsync();
        var logger = new FakeLogger();
        using var redis = TestRedis.Connect(TestRedis.NewPrefix(), instances: 2, logger: logger, configuration: server.Configuration);
        using var sut = new RedisWindowRateLimiter(redis, "provider:flaky", new SlidingWindowLogOptions { RequestLimit = 4 });
        Assert.True((await sut.AttemptAcquireAsync(1, TestContext.Current.CancellationToken)).IsAcquired);
        Assert.True(redis.IsAvailable);

        server.Kill();
        await Poll.UntilAsync(() => !redis.Multiplexer.IsConnected, "the connection noticing Redis is gone", cancellationToken: TestContext.Current.CancellationToken);
        var whileDown = 0;
        for (var i = 0; i < 5; i++)
        {
            whileDown += (await sut.AttemptAcquireAsync(1, TestContext.Current.CancellationToken)).IsAcquired ? 1 : 0;
        }

        Assert.Equal(2, whileDown);
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 4600);

        await server.RestartAsync();
        await Poll.UntilAsync(() => redis.Multiplexer.IsConnected, "the connection coming back", TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        // The restarted Redis is empty: the whole shared limit is available again, and only it.
        var afterReturn = 0;
        for (var i = 0; i < 6; i++)
        {
            afterReturn += (await sut.AttemptAcquireAsync(1, TestContext.Current.CancellationToken)).IsAcquired ? 1 : 0;
        }

        Assert.Equal(4, afterReturn);
        Assert.True(redis.IsAvailable);
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 4601);
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 4600);
    }
}
