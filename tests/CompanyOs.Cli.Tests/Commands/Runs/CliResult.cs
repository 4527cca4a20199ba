namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary>Exit code and captured streams of one invocation.</summary>
internal sealed record CliResult(int Exit, string Out, string Err)
{
    public string All => Out + Err;

    public string RunId => CliHarness.RunIdPattern().Match(All) is { Success: true } m ? m.Value : throw new InvalidOperationException($"no run id in:\n{All}");

    /// <summary>The printed command line that starts with <paramref name="prefix"/> (e.g. <c>companyos approve</c>), split into arguments.</summary>
    public string[] Command(string prefix)
    {
        var line = Out.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"no '{prefix}' command in:\n{Out}");
        return line["companyos ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
