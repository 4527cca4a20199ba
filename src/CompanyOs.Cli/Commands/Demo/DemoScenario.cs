using System.Text.Json;
using CompanyOs.Cli.Hosting;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Tools.Sandbox;

namespace CompanyOs.Cli.Commands.Demo;

/// <summary>
/// What <c>companyos demo</c> asks the implementer to do, and — when the model is emulated — the turns the emulator's
/// model plays: two parallel reads (a real file of the repo's docs and the docs folder), then <c>execute_code</c> in the
/// sandbox (high risk, so a supervised run waits for approval), then an answer built from the real tool results.
/// </summary>
internal sealed record DemoScenario(string Task, string DocsFile, string? SandboxSkipped)
{
    public const string Agent = "implementer";

    public const string DocsFolder = "docs";

    private const string SandboxCode = """
        import os, platform, socket
        print(f"python {platform.python_version()} on {platform.system()}, uid {os.getuid()}, cwd {os.getcwd()}")
        try:
            socket.create_connection(("1.1.1.1", 53), timeout=2).close()
            print("network: reachable")
        except OSError as e:
            print(f"network: none ({e.strerror or e})")
        """;

    private static readonly string[] DocsCandidates = ["docs/agents.md", "docs/cli.md", "README.md"];

    /// <summary>Picks the file to read (the first of the repo's docs found under the read_file root) and checks the sandbox.</summary>
    public static async Task<DemoScenario> PrepareAsync(AgentHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var root = host.ToolsOptions?.FileSystem?.Roots is [var first, ..]
            ? Path.GetFullPath(first, Path.GetDirectoryName(host.Paths.ToolsConfig)!)
            : null;
        var docsFile = DocsCandidates.FirstOrDefault(f => root is not null && File.Exists(Path.Combine(root, f))) ?? DocsCandidates[0];
        var skipped = await SandboxProblemAsync(host).ConfigureAwait(false);
        var task = $"Read {docsFile} and list the {DocsFolder} folder"
            + (skipped is null ? ", then check the sandbox with execute_code" : string.Empty)
            + ", and summarise how a CompanyOS agent run works.";
        return new DemoScenario(task, docsFile, skipped);
    }

    /// <summary>The emulator's turns for this scenario, keyed by position in the conversation so retries and resumes replay them.</summary>
    public void Script(TurnScript script)
    {
        ArgumentNullException.ThrowIfNull(script);
        script.Enqueue(ScriptedTurn.ToolCalls(
                ("read_file", Json(new Dictionary<string, object> { ["path"] = DocsFile })),
                ("list_dir", Json(new Dictionary<string, object> { ["path"] = DocsFolder })))
            .WithText($"I'll read {DocsFile} and list the {DocsFolder} folder at the same time.")
            .AtPosition(0));
        if (SandboxSkipped is null)
        {
            script.Enqueue(ScriptedTurn.ToolCalls(("execute_code", Json(new Dictionary<string, object> { ["language"] = "python", ["code"] = SandboxCode })))
                .WithText("Both came back. Now a quick check inside the sandbox: it runs code, so it waits for your approval.")
                .AtPosition(1));
        }
    }

    private static async Task<string?> SandboxProblemAsync(AgentHost host)
    {
        if (!host.Tools.TryGet("execute_code", out _) || host.ToolsOptions is not { Sandbox.Enabled: true } options)
        {
            return $"execute_code is not enabled in {host.Paths.ToolsConfig}";
        }

        using var sandbox = new BubblewrapSandbox(options.Sandbox);
        return await sandbox.CheckAvailableAsync().ConfigureAwait(false) is { } why ? $"bubblewrap is not usable here: {why}" : null;
    }

    private static string Json(Dictionary<string, object> arguments) => JsonSerializer.Serialize(arguments);
}
