using System.Diagnostics;

namespace CompanyOs.Events.Tests.CrashSafety;

/// <summary>Starts CompanyOs.Events.CrashWriter (built next to the tests), collects its acknowledgements and kills it.</summary>
internal static class CrashWriterProcess
{
    /// <summary>
    /// Runs the writer until it has acknowledged <paramref name="killAfterAcks"/> events and <paramref name="whileRunning"/>
    /// (started once the writer is ready) has finished, then kills it. Returns every acknowledged event id.
    /// </summary>
    public static async Task<List<Guid>> RunAndKillAsync(
        string[] arguments, int killAfterAcks, Func<Task>? whileRunning, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CompanyOs.Events.CrashWriter.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the crash writer");
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        var acks = new List<Guid>();
        try
        {
            var ready = false;
            Task? work = null;
            while (acks.Count < killAfterAcks || work is not { IsCompleted: true })
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"crash writer exited early ({(ready ? "after" : "before")} READY): {await errors}");
                if (line == "READY")
                {
                    ready = true;
                    work = Task.Run(whileRunning ?? (() => Task.CompletedTask), timeout.Token);
                }

                Collect(line, acks);
            }

            await work;
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        // Lines already written to the pipe before the kill were acknowledged too.
        var rest = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        foreach (var line in rest.Split('\n'))
        {
            Collect(line, acks);
        }

        return acks;
    }

    private static void Collect(string line, List<Guid> acks)
    {
        // A line cut short by the kill fails to parse and is ignored: it was never fully reported.
        if (line.StartsWith("ACK ", StringComparison.Ordinal) && line.Length == 40 && Guid.TryParse(line.AsSpan(4), out var id))
        {
            acks.Add(id);
        }
    }
}
