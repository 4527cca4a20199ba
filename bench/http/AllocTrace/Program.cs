using System.Globalization;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Usage: CompanyOs.Benchmarks.AllocTrace TRACE.nettrace REQUESTS [TOP]
// Every GCAllocationTick event charges the ~100 KB allocated since the last one to the type that crossed the threshold, so
// the sum over a trace that framed a whole load run, divided by that run's request count, is the bytes per request.
if (args.Length < 2 || !long.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var requests) || requests <= 0)
{
    Console.Error.WriteLine("usage: CompanyOs.Benchmarks.AllocTrace TRACE.nettrace REQUESTS [TOP]");
    return 2;
}

var top = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 25;
var byType = new Dictionary<string, long>(StringComparer.Ordinal);
long total = 0;
using (var source = new EventPipeEventSource(args[0]))
{
    source.Clr.GCAllocationTick += (GCAllocationTickTraceData tick) =>
    {
        total += tick.AllocationAmount64;
        var type = tick.TypeName ?? "?";
        byType[type] = byType.GetValueOrDefault(type) + tick.AllocationAmount64;
    };
    source.Process();
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bytes/request {total / (double)requests:F0} (sampled {total / 1e6:F1} MB over {requests} requests)"));
foreach (var (type, bytes) in byType.OrderByDescending(p => p.Value).Take(top))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)requests,8:F0} {(type.Length > 150 ? type[..150] : type)}"));
}

return 0;
