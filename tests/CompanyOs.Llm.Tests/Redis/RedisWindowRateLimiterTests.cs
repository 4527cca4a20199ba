using System.Threading.RateLimiting;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Redis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

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
        // Never connected: an outage once the connect timeout has passed since the first attempt.
        await Poll.UntilAsync(() => redis.IsOutage, "the outage rule (down for the connect timeout)", cancellationToken: TestContext.Current.CancellationToken);

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
        await Poll.UntilAsync(() => redis.IsOutage, "the outage rule (down for the connect timeout)", cancellationToken: TestContext.Current.CancellationToken);
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

    [Fact]
    public async Task A_command_timing_out_on_one_instance_refuses_instead_of_admitting_outside_the_shared_window()
    {
        // Both instances share RPM 10 over 60 s. Redis holds every write for a few seconds (CLIENT PAUSE … WRITE: the
        // connections stay up): instance A's patient commands wait and are answered; instance B's time out. B must not
        // admit locally (it used to fall back to 10 ÷ 2 = 5 while A still admitted the whole 10: 15 in one window).
        // A private Redis: CLIENT PAUSE holds every client of the server, and the shared test Redis serves other tests at once.
        using var server = await PrivateRedis.StartAsync();
        var prefix = TestRedis.NewPrefix();
        var logger = new FakeLogger();
        using var a = TestRedis.Connect(prefix, instances: 2, configuration: server.Configuration + ",syncTimeout=30000,asyncTimeout=30000");
        using var b = TestRedis.Connect(prefix, instances: 2, logger: logger, configuration: server.Configuration + ",syncTimeout=200,asyncTimeout=200");
        using var admin = await ConnectionMultiplexer.ConnectAsync(server.Configuration + ",allowAdmin=true");
        var options = new SlidingWindowLogOptions { RequestLimit = 10, Window = TimeSpan.FromSeconds(60) };
        using var first = new RedisWindowRateLimiter(a, "provider:paused", options);
        using var second = new RedisWindowRateLimiter(b, "provider:paused", options);
        var cancel = TestContext.Current.CancellationToken;

        await admin.GetServer(admin.GetEndPoints()[0]).ExecuteAsync("CLIENT", "PAUSE", "8000", "WRITE");
        var leasesOfB = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => second.AttemptAcquireAsync(1, cancel).AsTask()));
        var leasesOfA = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => first.AttemptAcquireAsync(1, cancel).AsTask()));
        await admin.GetServer(admin.GetEndPoints()[0]).ExecuteAsync("CLIENT", "UNPAUSE");
        // After the pause B asks Redis again: the shared window is full.
        var laterOfB = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => second.AttemptAcquireAsync(1, cancel).AsTask()));

        var timedOut = leasesOfB.Where(l => !l.IsAcquired && l.TryGetMetadata(MetadataName.ReasonPhrase, out var reason) && reason!.Contains("did not answer", StringComparison.Ordinal)).ToArray();
        var admitted = leasesOfA.Concat(leasesOfB).Concat(laterOfB).Count(l => l.IsAcquired);
        Assert.Equal(10, admitted); // the whole shared limit, and never more, in this one window
        Assert.NotEmpty(timedOut); // the timeout path really ran
        Assert.All(timedOut, l => Assert.True(l.TryGetMetadata(MetadataName.RetryAfter, out var wait) && wait == TimeSpan.FromSeconds(1)));
        Assert.False(b.IsOutage);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Id.Id == 4600); // no "limit ÷ N" warning: no fallback
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 4602);
    }

    [Fact]
    public async Task A_connection_down_for_less_than_the_connect_timeout_refuses_and_only_then_falls_back()
    {
        // A multiplexer that never connects (nothing listens); the outage clock runs on a fake time.
        var options = RedisConnection.ParseOptions(TestRedis.ClosedPort());
        using var multiplexer = await ConnectionMultiplexer.ConnectAsync(options);
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var logger = new FakeLogger();
        using var redis = new RedisConnection(multiplexer, TestRedis.NewPrefix(), instances: 2, logger, outageAfter: TimeSpan.FromSeconds(10), time: time);
        using var sut = new RedisWindowRateLimiter(redis, "provider:connecting", new SlidingWindowLogOptions { RequestLimit = 4 }, time);
        var cancel = TestContext.Current.CancellationToken;

        time.Advance(TimeSpan.FromSeconds(9));
        var early = await sut.AttemptAcquireAsync(1, cancel);
        Assert.False(early.IsAcquired);
        Assert.True(early.TryGetMetadata(MetadataName.RetryAfter, out var wait) && wait == TimeSpan.FromSeconds(1));
        Assert.False(redis.IsOutage);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Id.Id == 4600);

        time.Advance(TimeSpan.FromSeconds(1));
        var admitted = 0;
        for (var i = 0; i < 4; i++)
        {
            admitted += (await sut.AttemptAcquireAsync(1, cancel)).IsAcquired ? 1 : 0;
        }

        Assert.Equal(2, admitted); // 4 ÷ 2
        Assert.True(redis.IsOutage);
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 4600);
    }
}
