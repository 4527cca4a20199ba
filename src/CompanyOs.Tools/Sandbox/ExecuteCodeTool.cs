using System.Globalization;
using System.Text;
using CompanyOs.Tools.Typed;

namespace CompanyOs.Tools.Sandbox;

/// <summary>
/// <c>execute_code</c>: runs a python, bash or node snippet inside the bubblewrap sandbox only. High risk. When the sandbox is
/// unavailable every call is refused with the reason; there is no unsandboxed fallback.
/// </summary>
public sealed class ExecuteCodeTool : TypedTool<ExecuteCodeArguments>
{
    private readonly BubblewrapSandbox _sandbox;

    public ExecuteCodeTool(BubblewrapSandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        _sandbox = sandbox;
    }

    public override string Name => "execute_code";

    public override string Description
    {
        get
        {
            var o = _sandbox.Options;
            return string.Create(CultureInfo.InvariantCulture,
                $"Runs a python, bash or node script in an isolated sandbox and returns exit code, stdout and stderr. No network, no access to "
                + $"the host's files; the working directory /work is empty and discarded afterwards. Limits: {o.WallTimeout.TotalSeconds:0} s wall time, "
                + $"{o.CpuSeconds} s CPU, {o.MemoryBytes / (1024 * 1024)} MiB memory {(_sandbox.MemoryBoundIsTotal ? "in total" : "per process")}, {o.MaxProcesses} processes, {o.MaxOutputBytes / 1024} KiB output.");
        }
    }

    public override ToolRisk Risk => ToolRisk.High;

    public override bool IsIdempotent => false;

    public override TimeSpan Timeout => _sandbox.Options.WallTimeout + TimeSpan.FromSeconds(15);

    protected override async Task<ToolResult> InvokeAsync(ExecuteCodeArguments arguments, ToolInvocationContext context, CancellationToken cancellationToken)
    {
        SandboxResult result;
        try
        {
            result = await _sandbox.RunAsync(arguments.Language.ToString().ToLowerInvariant(), arguments.Code, cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxUnavailableException ex)
        {
            return ToolResult.Error(ex.Message);
        }
        catch (ArgumentException ex)
        {
            return ToolResult.Error(ex.Message);
        }

        return Format(result, _sandbox.Options);
    }

    internal static ToolResult Format(SandboxResult result, SandboxOptions options)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"exit code: {result.ExitCode}{Signal(result.ExitCode)}");
        text.Append("\n--- stdout ---\n").Append(result.Stdout);
        if (result.Stderr.Length > 0)
        {
            text.Append("\n--- stderr ---\n").Append(result.Stderr);
        }

        if (result.OutputTruncated)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n[output truncated at {options.MaxOutputBytes} bytes; the program was stopped]");
        }

        if (result.TimedOut)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n[killed: wall-clock limit of {options.WallTimeout.TotalSeconds:0.###} s reached]");
            return ToolResult.Error(text.ToString());
        }

        return ToolResult.Success(text.ToString());
    }

    private static string Signal(int exitCode) => exitCode switch
    {
        128 + 9 => " (killed: SIGKILL, often the memory limit)",
        128 + 24 => " (killed: CPU time limit, SIGXCPU)",
        128 + 25 => " (killed: file size limit, SIGXFSZ)",
        128 + 11 => " (crashed: SIGSEGV, often the memory limit)",
        128 + 6 => " (aborted: SIGABRT, often the memory limit)",
        _ => string.Empty,
    };
}
