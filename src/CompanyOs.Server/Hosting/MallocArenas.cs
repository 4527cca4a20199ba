using System.Globalization;
using System.Runtime.InteropServices;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// Caps the number of glibc malloc arenas of the server process (<c>mallopt(M_ARENA_MAX)</c>) to the runtimeconfig setting
/// <see cref="Setting"/> (<c>src/CompanyOs.Server/ServerRuntime.props</c>). glibc gives each thread that allocates its own
/// arena, up to eight per core, each holding on to its freed pages; the server's native allocations (SQLite's page caches
/// and statements, the JIT's, the runtime's own) are not on the request path's critical section, so the extra arenas mostly
/// kept memory. Applied first thing when the server starts, before the host creates its threads; the arenas the runtime's
/// own threads made before <c>Main</c> stay (measured: 7 arenas left instead of 10, ≈ 0.6 MB less malloc memory after
/// load), which is why <c>MALLOC_ARENA_MAX=2</c> in the process's environment, read by glibc before any thread starts,
/// does more (2 arenas, ≈ 2.5 MB less; docs/benchmarks.md, issue 17, seventh session). That variable wins: when it is set,
/// nothing is changed here. A no-op off Linux and on C libraries without <c>mallopt</c> (musl: its malloc has no arenas).
/// </summary>
internal static class MallocArenas
{
    /// <summary>The runtimeconfig property (an <c>int</c>, &gt; 0) that caps the arenas; absent or not a positive number: no cap.</summary>
    public const string Setting = "CompanyOs.Server.MallocArenaMax";

    /// <summary>The environment variable glibc reads at start-up; when set it takes precedence over <see cref="Setting"/>.</summary>
    public const string EnvironmentVariable = "MALLOC_ARENA_MAX";

    private const int ArenaMaxParameter = -8; // M_ARENA_MAX in glibc's malloc.h

    /// <summary>Applies <see cref="Setting"/> from this process's runtimeconfig; returns the cap set, or null when none was.</summary>
    public static int? Apply() => Apply(AppContext.GetData(Setting), Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Sets the cap to <paramref name="configured"/> unless <paramref name="environment"/> (the value of
    /// <c>MALLOC_ARENA_MAX</c>) is set; returns the cap set, or null when none was.</summary>
    internal static int? Apply(object? configured, string? environment)
    {
        if (!OperatingSystem.IsLinux() || environment is not null
            || !int.TryParse(configured?.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var arenas) || arenas <= 0)
        {
            return null;
        }

        try
        {
            return SetOption(ArenaMaxParameter, arenas) == 1 ? arenas : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // not glibc
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetOption(int parameter, int value);
}
