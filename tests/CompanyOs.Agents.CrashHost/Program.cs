using CompanyOs.Agents.CrashHost;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Steps;
using CompanyOs.Events.Sqlite;

// Usage: CrashHost <sqlite-file> <count-dir> <emulator-openai-endpoint> start|resume
// Drives the crash-test run against the emulator and prints "appended <version>" after each acknowledged event, so a test
// that kills this process with SIGKILL knows which events must survive.
if (args.Length != 4 || !Uri.TryCreate(args[2], UriKind.Absolute, out var endpoint))
{
    Console.Error.WriteLine("usage: CrashHost <sqlite-file> <count-dir> <emulator-openai-endpoint> start|resume");
    return 2;
}

await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = args[0] });
using var gateway = CrashScenario.CreateGateway(endpoint);
await using var runtime = CrashScenario.CreateRuntime(store, args[1], gateway);
var output = Console.Out;
Console.WriteLine("ready");
AgentRunResult result = args[3] == "start"
    ? await runtime.RunAsync(CrashScenario.Request, Report)
    : await runtime.ResumeAsync(CrashScenario.RunId, Report);
Console.WriteLine($"status {result.Status}");
return 0;

ValueTask Report(AgentStep step, CancellationToken cancellationToken)
{
    if (!step.IsTransient)
    {
        output.WriteLine($"appended {step.Version}");
        output.Flush();
    }

    return ValueTask.CompletedTask;
}
