using System.Globalization;
using Microsoft.Diagnostics.Runtime;

// Usage: CompanyOs.Benchmarks.CardRoots PID [TOP]
// A gen0 GC marks from the thread stacks, the handles and every object outside gen0 that references a gen0 object (the
// card table finds them): it cannot tell whether those older objects are still alive, so a dead one keeps what it points
// to. This suspends the process (ptrace, through ClrMD), lists those older holders by generation, type and field, then
// compares what a gen0 GC would keep (gen0 objects reachable from the roots and from every holder) with what is really
// alive (reachable from the roots) and lists the gen0 objects kept only by dead holders, by type.
if (args.Length < 1 || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
{
    Console.Error.WriteLine("usage: CompanyOs.Benchmarks.CardRoots PID [TOP]");
    return 2;
}

var top = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 25;
using var target = DataTarget.AttachToProcess(pid, suspend: true);
using var runtime = target.ClrVersions[0].CreateRuntime();
var heap = runtime.Heap;

// Live objects: everything reachable from the roots.
var live = new HashSet<ulong>();
var pending = new Stack<ulong>();
foreach (var root in heap.EnumerateRoots())
{
    Push(live, root.Object.Address);
}

Drain(live, onlyGen0: false);

// What a gen0 GC keeps: gen0 objects reachable from the roots and from every holder, alive or not.
var kept = new HashSet<ulong>();
foreach (var root in heap.EnumerateRoots())
{
    if (Generation(root.Object.Address) == 0)
    {
        Push(kept, root.Object.Address);
    }
}

var holders = new Dictionary<string, (int Objects, int Dead, long Bytes)>(StringComparer.Ordinal);
foreach (var obj in heap.EnumerateObjects())
{
    if (Generation(obj.Address) == 0 || obj.Type is not { ContainsPointers: true } type)
    {
        continue;
    }

    var fields = new SortedSet<string>(StringComparer.Ordinal);
    foreach (var reference in obj.EnumerateReferencesWithFields(carefully: false, considerDependantHandles: false))
    {
        if (Generation(reference.Object.Address) == 0)
        {
            fields.Add(reference.Field?.Name ?? (reference.IsArrayElement ? "[]" : "?"));
            Push(kept, reference.Object.Address);
        }
    }

    if (fields.Count > 0)
    {
        var key = $"gen{Generation(obj.Address)} {type.Name} [{string.Join(",", fields.Take(4))}]";
        var (objects, dead, bytes) = holders.GetValueOrDefault(key);
        holders[key] = (objects + 1, dead + (live.Contains(obj.Address) ? 0 : 1), bytes + (long)obj.Size);
    }
}

Drain(kept, onlyGen0: true);

long keptBytes = 0, deadBytes = 0;
var deadCount = 0;
var deadByType = new Dictionary<string, long>(StringComparer.Ordinal);
foreach (var address in kept)
{
    var obj = heap.GetObject(address);
    keptBytes += (long)obj.Size;
    if (!live.Contains(address))
    {
        deadCount++;
        deadBytes += (long)obj.Size;
        var name = obj.Type?.Name ?? "?";
        deadByType[name] = deadByType.GetValueOrDefault(name) + (long)obj.Size;
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"older objects referencing gen0: {holders.Values.Sum(h => h.Objects)} ({holders.Values.Sum(h => h.Bytes) / 1024.0:F1} KB), of which dead: {holders.Values.Sum(h => h.Dead)}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"gen0 a gen0 GC would keep: {kept.Count} objects, {keptBytes / 1024.0:F1} KB; kept only by dead older objects: {deadCount} objects, {deadBytes / 1024.0:F1} KB"));
Console.WriteLine("  holders: objects, dead, bytes, generation type [fields]");
foreach (var (key, (objects, dead, bytes)) in holders.OrderByDescending(h => h.Value.Objects).Take(top))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {objects,5} {dead,5} {bytes,8} {Shorten(key)}"));
}

Console.WriteLine("  gen0 kept only by dead holders: bytes, type");
foreach (var (name, bytes) in deadByType.OrderByDescending(d => d.Value).Take(top))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {bytes,8} {Shorten(name)}"));
}

return 0;

int Generation(ulong address) => heap.GetSegmentByAddress(address)?.Kind switch
{
    null => -1,
    GCSegmentKind.Generation0 => 0,
    GCSegmentKind.Generation1 => 1,
    GCSegmentKind.Generation2 => 2,
    GCSegmentKind.Large => 3,
    GCSegmentKind.Pinned => 4,
    GCSegmentKind.Frozen => 5,
    _ => (int)heap.GetSegmentByAddress(address)!.GetGeneration(address),
};

void Push(HashSet<ulong> set, ulong address)
{
    if (address != 0 && set.Add(address))
    {
        pending.Push(address);
    }
}

void Drain(HashSet<ulong> set, bool onlyGen0)
{
    while (pending.TryPop(out var address))
    {
        var obj = heap.GetObject(address);
        if (!obj.IsValid)
        {
            continue;
        }

        foreach (var reference in obj.EnumerateReferenceAddresses(carefully: false, considerDependantHandles: true))
        {
            if (!onlyGen0 || Generation(reference) == 0)
            {
                Push(set, reference);
            }
        }
    }
}

// Async state machine boxes: the state machine's name is what tells them apart.
static string Shorten(string name) =>
    name.Replace("System.Runtime.CompilerServices.AsyncTaskMethodBuilder<", "box<", StringComparison.Ordinal) is var s && s.Length > 160 ? s[..160] : s;
