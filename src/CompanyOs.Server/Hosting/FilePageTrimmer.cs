using Microsoft.Extensions.Options;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// Runs <see cref="FilePageTrim"/> after each burst of JIT compilation has settled: start-up, the first calls of each
/// path, their tier-up under load. Every <see cref="Interval"/> it reads the JIT's compiled-method count (nothing else);
/// once an interval added at most 0.5 % to it (settled: under steady load tier-up trickles on at a few methods a second)
/// and it grew by more than 2 % since the last trim, it trims (two reads of <c>/proc/self/smaps</c> a second apart, then
/// one <c>madvise</c> per mapping). A steady server compiles little new and trims no more; a Native AOT build compiles
/// nothing and trims once after start-up. Off with <c>CompanyOs:Server:TrimFilePages=false</c>.
/// </summary>
internal sealed class FilePageTrimmer(IOptions<ServerOptions> options, TimeProvider time, ILogger<FilePageTrimmer> logger) : BackgroundService
{
    /// <summary>How often the compiled-method count is read.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>Settled: an interval added at most this share of the compiled methods.</summary>
    private static bool Settled(long compiled, long previous) => compiled - previous <= Math.Max(10, compiled / 200);

    /// <summary>Worth another trim: the JIT compiled more than this share since the last one.</summary>
    private static bool Grown(long compiled, long? trimmedAt) => trimmedAt is not { } at || compiled - at > Math.Max(10, compiled / 50);

    /// <summary>Trims so far (tests wait on it).</summary>
    public int Trims => Volatile.Read(ref _trims);

    private int _trims;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.TrimFilePages || !OperatingSystem.IsLinux())
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        var last = FilePageTrim.CompiledMethods();
        long? trimmedAt = null;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var compiled = FilePageTrim.CompiledMethods();
                var settled = Settled(compiled, last);
                last = compiled;
                if (!settled || !Grown(compiled, trimmedAt))
                {
                    continue;
                }

                var before = FilePageTrim.Candidates();
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                var (mappings, bytes) = FilePageTrim.Trim(before, FilePageTrim.Candidates());
                trimmedAt = compiled;
                Interlocked.Increment(ref _trims);
                ServerLog.FilePagesTrimmed(logger, mappings, bytes >> 20, compiled);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
