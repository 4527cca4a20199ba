namespace CompanyOs.Tools.Sandbox;

/// <summary>
/// A host uid of its own for one sandbox run started by a root host process. The kernel counts RLIMIT_NPROC per uid over
/// every process of that uid, so runs sharing one uid share one process budget: a fork bomb in one run made every concurrent
/// run — another agent's included — fail to start (<c>bwrap: Creating new namespace failed: Resource temporarily unavailable</c>).
/// Uids are leased process-wide from <see cref="SandboxOptions.RunUidFirst"/> on, round-robin from a random point (two host
/// processes rarely meet, and a uid whose killed processes are still being reaped is not handed out again at once).
/// </summary>
internal sealed class SandboxUidLease : IDisposable
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Leased = [];
    private static uint _cursor = (uint)Random.Shared.Next();

    private SandboxUidLease(int uid) => Uid = uid;

    /// <summary>The host uid the run executes as.</summary>
    public int Uid { get; }

    /// <summary>Leases a uid from <c>[first, first + count)</c> not held by another run of this process.</summary>
    /// <exception cref="SandboxUnavailableException">All <paramref name="count"/> uids are in use.</exception>
    public static SandboxUidLease Take(int first, int count)
    {
        lock (Gate)
        {
            for (var tried = 0; tried < count; tried++)
            {
                var uid = first + (int)(_cursor++ % (uint)count);
                if (Leased.Add(uid))
                {
                    return new SandboxUidLease(uid);
                }
            }
        }

        throw new SandboxUnavailableException($"all {count} sandbox uids from {first} are in use by other runs");
    }

    public void Dispose()
    {
        lock (Gate)
        {
            Leased.Remove(Uid);
        }
    }
}
