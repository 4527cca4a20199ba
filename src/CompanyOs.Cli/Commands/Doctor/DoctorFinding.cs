using System.Text.Json.Nodes;

namespace CompanyOs.Cli.Commands.Doctor;

/// <summary>How one <c>doctor</c> check came out: <c>ok</c>, <c>info</c> (worth knowing, not wrong), or a <c>problem</c> (printed with its fix; exit 1).</summary>
internal enum DoctorStatus
{
    Ok,
    Info,
    Problem,
}

/// <summary>One line of the <c>doctor</c> report: what was checked, what was found and — for a problem — how to fix it.</summary>
/// <param name="Area">files, keys, store, providers, sandbox, prices, prompts, agents, tools.</param>
/// <param name="Subject">What in that area (a provider, a model, a file).</param>
/// <param name="Status">The outcome.</param>
/// <param name="Detail">What was found (never a secret's value).</param>
/// <param name="Fix">What to do about a problem; null otherwise.</param>
internal sealed record DoctorFinding(string Area, string Subject, DoctorStatus Status, string Detail, string? Fix = null)
{
    /// <summary>How long a provider took to answer the probe.</summary>
    public TimeSpan? Latency { get; init; }

    public static DoctorFinding Ok(string area, string subject, string detail) => new(area, subject, DoctorStatus.Ok, detail);

    public static DoctorFinding Info(string area, string subject, string detail) => new(area, subject, DoctorStatus.Info, detail);

    public static DoctorFinding Problem(string area, string subject, string detail, string fix) => new(area, subject, DoctorStatus.Problem, detail, fix);

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["area"] = Area,
            ["subject"] = Subject,
            ["status"] = Status.ToString().ToLowerInvariant(),
            ["detail"] = Detail,
        };
        if (Fix is not null)
        {
            json["fix"] = Fix;
        }

        if (Latency is { } latency)
        {
            json["latency_ms"] = Math.Round(latency.TotalMilliseconds, 1);
        }

        return json;
    }
}
