using System.Globalization;

namespace CompanyOs.Tools.Sandbox;

/// <summary>
/// A memory cgroup of its own for one sandbox run, so <see cref="SandboxOptions.MemoryBytes"/> bounds all of the run's
/// processes together (RLIMIT_AS alone bounds each process, and <see cref="SandboxOptions.MaxProcesses"/> of them may each take
/// it). cgroup v2 is used when the host process's cgroup delegates the memory controller to its children
/// (<c>cgroup.subtree_control</c> lists <c>memory</c>); otherwise a cgroup v1 memory hierarchy under the host process's own
/// memory cgroup. The sandbox's first process joins it before it starts anything (see <see cref="BubblewrapCommand"/>).
/// </summary>
internal sealed class SandboxCgroup : IDisposable
{
    private const string Root = "/sys/fs/cgroup";

    private SandboxCgroup(string path) => Path = path;

    /// <summary>The cgroup directory; its <c>cgroup.procs</c> takes the sandbox's first process.</summary>
    public string Path { get; }

    /// <summary>Where runs' cgroups are created, or why memory cannot be bounded per sandbox here.</summary>
    public static (Func<long, SandboxCgroup>? Create, string? WhyNot) Locate()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/self/cgroup");
        }
        catch (IOException ex)
        {
            return (null, $"cannot read /proc/self/cgroup ({ex.Message})");
        }

        foreach (var line in lines)
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            // v2: our own cgroup holds processes, so it cannot hand controllers to children; runs' cgroups become its siblings.
            if (parts[0] == "0" && parts[1].Length == 0 && Delegates(V2Parent(parts[2]), "memory") is { } v2)
            {
                return (bytes => Create(v2, [("memory.max", bytes), ("memory.swap.max", 0)]), null);
            }

            if (parts[1].Split(',').Contains("memory") && Writable(System.IO.Path.Join(Root, "memory", parts[2])) is { } v1)
            {
                return (bytes => Create(v1, [("memory.limit_in_bytes", bytes), ("memory.memsw.limit_in_bytes", bytes)]), null);
            }
        }

        return (null, "no writable memory cgroup (cgroup v2 with the memory controller delegated, or a cgroup v1 memory hierarchy)");
    }

    /// <summary>Kills whatever is still in the cgroup (SIGKILL) — every process of the run, wherever it re-parented.</summary>
    public void KillAll()
    {
        var kill = System.IO.Path.Join(Path, "cgroup.kill");
        if (File.Exists(kill) && TryWrite(kill, "1"))
        {
            return;
        }

        foreach (var pid in Pids())
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // already gone
            }
        }
    }

    /// <summary>Removes the cgroup once its processes are gone (killed processes take a moment to be reaped; bounded wait).</summary>
    public void Dispose()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                Directory.Delete(Path);
                return;
            }
            catch (IOException) when (attempt < 49)
            {
                KillAll();
                Thread.Sleep(20);
            }
            catch (IOException)
            {
                return; // left behind empty-once-reaped; a later run does not reuse it
            }
        }
    }

    private IEnumerable<int> Pids()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(System.IO.Path.Join(Path, "cgroup.procs"));
        }
        catch (IOException)
        {
            return [];
        }

        return lines.Select(l => int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0).Where(p => p > 0);
    }

    private static SandboxCgroup Create(string parent, (string File, long Value)[] limits)
    {
        var path = System.IO.Path.Join(parent, $"companyos-sandbox-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        var cgroup = new SandboxCgroup(path);
        try
        {
            // The first limit is the memory bound itself and must take; the others (no swap) exist only with swap accounting.
            File.WriteAllText(System.IO.Path.Join(path, limits[0].File), limits[0].Value.ToString(CultureInfo.InvariantCulture));
            foreach (var (file, value) in limits.Skip(1))
            {
                TryWrite(System.IO.Path.Join(path, file), value.ToString(CultureInfo.InvariantCulture));
            }

            return cgroup;
        }
        catch
        {
            cgroup.Dispose();
            throw;
        }
    }

    private static string V2Parent(string own) =>
        System.IO.Path.Join(Root, own == "/" ? "/" : System.IO.Path.GetDirectoryName(own.TrimEnd('/')) ?? "/");

    private static string? Delegates(string cgroup, string controller)
    {
        try
        {
            var control = System.IO.Path.Join(cgroup, "cgroup.subtree_control");
            return File.Exists(control) && File.ReadAllText(control).Split(' ', '\n').Contains(controller) ? Writable(cgroup) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    // A probe directory proves we may create children and write their limits (root, or a delegated subtree).
    private static string? Writable(string cgroup)
    {
        var probe = System.IO.Path.Join(cgroup, $"companyos-probe-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
            return cgroup;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool TryWrite(string file, string value)
    {
        try
        {
            File.WriteAllText(file, value);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
