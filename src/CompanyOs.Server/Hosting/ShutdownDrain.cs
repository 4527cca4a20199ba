namespace CompanyOs.Server.Hosting;

/// <summary>
/// The bounded drain on shutdown (SIGTERM): open streams keep going for <see cref="ServerOptions.ShutdownDrainSeconds"/>
/// after the host starts stopping; then <see cref="Expired"/> fires and each ends with the wire's error event, before
/// Kestrel's own shutdown timeout would cut the connections without a word.
/// </summary>
internal sealed class ShutdownDrain : IDisposable
{
    private readonly CancellationTokenSource _expired;
    private readonly CancellationTokenRegistration _stopping;

    public ShutdownDrain(IHostApplicationLifetime lifetime, Microsoft.Extensions.Options.IOptions<ServerOptions> options, TimeProvider time)
    {
        _expired = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        var drain = TimeSpan.FromSeconds(options.Value.ShutdownDrainSeconds);
        _stopping = lifetime.ApplicationStopping.Register(() => _expired.CancelAfter(drain));
    }

    public CancellationToken Expired => _expired.Token;

    public void Dispose()
    {
        _stopping.Dispose();
        _expired.Dispose();
    }
}
