using System.Globalization;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Usage: CompanyOs.Benchmarks.AllocTrace TRACE.nettrace REQUESTS [TOP]
// Every GCAllocationTick event charges the ~100 KB allocated since the last one to the type that crossed the threshold, so
// the sum over a trace that framed a whole load run, divided by that run's request count, is the bytes per request.
// The same trace's GC events give what each stop-the-world pause was made of: suspending the threads (GCSuspendEE), the
// collection itself (GCStart..GCStop), the rest until the threads run again (GCRestartEE end), and what the collection
// promoted, by the kind of root it was reached from (GCMarkWithType: stacks, handles, older generations through the card
// table, finalization). GC_PHASES=1 adds what each pause's time went to, phase by phase (GcPhases).
if (args.Length < 2 || !long.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var requests) || requests <= 0)
{
    Console.Error.WriteLine("usage: CompanyOs.Benchmarks.AllocTrace TRACE.nettrace REQUESTS [TOP]");
    return 2;
}

var top = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 25;
var byType = new Dictionary<string, long>(StringComparer.Ordinal);
long total = 0;
var pauses = new List<Pause>();
var promotedByRoot = new Dictionary<string, long>(StringComparer.Ordinal);
double suspendStart = -1, suspendEnd = -1, gcStart = -1, gcEnd = -1, first = -1, last = -1;
var heaps = 0;
var depth = 0;
var phases = Environment.GetEnvironmentVariable("GC_PHASES") == "1" ? new GcPhases() : null;
using (var source = new EventPipeEventSource(args[0]))
{
    phases?.Attach(source);
    source.Clr.GCAllocationTick += (GCAllocationTickTraceData tick) =>
    {
        total += tick.AllocationAmount64;
        var type = tick.TypeName ?? "?";
        byType[type] = byType.GetValueOrDefault(type) + tick.AllocationAmount64;
    };
    source.Clr.GCSuspendEEStart += e =>
    {
        suspendStart = e.TimeStampRelativeMSec;
        first = first < 0 ? suspendStart : first;
    };
    source.Clr.GCSuspendEEStop += e => suspendEnd = e.TimeStampRelativeMSec;
    source.Clr.GCStart += e =>
    {
        gcStart = e.TimeStampRelativeMSec;
        depth = e.Depth;
    };
    source.Clr.GCStop += e => gcEnd = e.TimeStampRelativeMSec;
    source.Clr.GCGlobalHeapHistory += e => heaps = e.NumHeaps;
    source.Clr.GCMarkWithType += e =>
    {
        var root = GcPhases.RootName((int)e.Type);
        promotedByRoot[root] = promotedByRoot.GetValueOrDefault(root) + e.Promoted;
    };
    source.Clr.GCRestartEEStop += e =>
    {
        // A suspension without a collection (a debugger, a thread abort) is no GC pause.
        if (suspendStart >= 0 && gcStart >= suspendStart && gcEnd >= gcStart)
        {
            last = e.TimeStampRelativeMSec;
            pauses.Add(new Pause(e.TimeStampRelativeMSec - suspendStart, suspendEnd - suspendStart, gcEnd - gcStart, heaps, depth));
        }

        suspendStart = gcStart = gcEnd = -1;
    };
    source.Process();
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bytes/request {total / (double)requests:F0} (sampled {total / 1e6:F1} MB over {requests} requests)"));
if (pauses.Count > 1 && last > first)
{
    var seconds = (last - first) / 1000;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"GC pauses: {pauses.Count} ({pauses.Count / seconds:F1}/s, {pauses.Sum(p => p.Total) / (seconds * 10):F2} % of wall time), heaps {pauses.Min(p => p.Heaps)}-{pauses.Max(p => p.Heaps)}"));
    Console.WriteLine("  ms per pause      mean    p50    p90    max");
    Print("  pause", pauses.Select(p => p.Total));
    Print("  suspension", pauses.Select(p => p.Suspension));
    Print("  collection", pauses.Select(p => p.Collection));
    foreach (var generation in pauses.GroupBy(p => p.Depth).Where(_ => pauses.Any(p => p.Depth > 0)).OrderBy(g => g.Key))
    {
        Print($"  gen{generation.Key} pauses ({generation.Count()})", generation.Select(p => p.Total));
    }

    Print("  rest", pauses.Select(p => p.Total - p.Suspension - p.Collection));
    Console.WriteLine("  KB promoted per GC by root: " + string.Join(", ", promotedByRoot.Where(r => r.Value > 0).OrderByDescending(r => r.Value)
        .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} {r.Value / 1024.0 / pauses.Count:F1}"))));
    phases?.Print();
}

foreach (var (type, bytes) in byType.OrderByDescending(p => p.Value).Take(top))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)requests,8:F0} {(type.Length > 150 ? type[..150] : type)}"));
}

return 0;

static void Print(string name, IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name,-16} {sorted.Average(),6:F2} {sorted[sorted.Length / 2],6:F2} {sorted[(int)(sorted.Length * 0.9)],6:F2} {sorted[^1],6:F2}"));
}

internal readonly record struct Pause(double Total, double Suspension, double Collection, int Heaps, int Depth);
