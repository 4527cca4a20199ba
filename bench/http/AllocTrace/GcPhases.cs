using System.Globalization;
using Microsoft.Diagnostics.Tracing;

/// <summary>
/// What the time of each stop-the-world pause went to, from the timestamps of the runtime's events inside it. With one
/// server-GC heap (DATAS keeps one here) every event of a collection comes from the one GC thread in order: the joins
/// (<c>GCJoin_V2</c>, whose id is the runtime's <c>gc_join_stage</c>) mark the phase boundaries and the
/// <c>GCMarkWithType</c> events the end of marking from each kind of root, so the gaps between these landmarks are the
/// phases. A pause that lacks a landmark (workstation GC has no joins, a gen1 collection has other ones) is left out of
/// the phase figures and counted.
/// </summary>
internal sealed class GcPhases
{
    // Landmark → the phase that ends at it, in the order the runtime reaches them.
    private static readonly (string Landmark, string Phase)[] Landmarks =
    [
        ("GC/SuspendEEStart", ""),
        ("GC/SuspendEEStop", "suspension of the threads"),
        ("Join/begin_mark_phase", "before marking (generation, memory load)"),
        ("Mark/stacks", "mark from thread stacks"),
        ("Mark/handles", "mark from finalization queue and handles"),
        ("Mark/older generations", "mark through cards (older generations)"),
        ("Join/null_dead_syncblk", "weak handles, finalization scan"),
        ("Join/decide_on_compaction", "plan"),
        ("Join/begin_relocate_phase", "decide compaction"),
        ("Join/relocate_phase_done", "relocate (stacks, cards, handles again)"),
        ("Join/done", "compact"),
        ("GC/RestartEEStart", "after the collection (histories, decommit)"),
        ("GC/RestartEEStop", "restart of the threads"),
    ];

    private readonly List<(string Name, double Time)> _events = [];
    private readonly Dictionary<string, List<double>> _phases = new(StringComparer.Ordinal);
    private int _pauses;
    private int _withoutLandmarks;
    private int _gen1Changes;
    private long? _lastGen1;
    private string _lastHeap = "";

    public void Attach(TraceEventDispatcher source) => source.AllEvents += OnEvent;

    private void OnEvent(TraceEvent e)
    {
        if (e.ProviderName != "Microsoft-Windows-DotNETRuntime")
        {
            return;
        }

        string name;
        switch ((int)e.ID)
        {
            case 9: name = "GC/SuspendEEStart"; _events.Clear(); break;
            case 8: name = "GC/SuspendEEStop"; break;
            case 7: name = "GC/RestartEEStart"; break;
            case 3: name = "GC/RestartEEStop"; break;
            case 202: name = "Mark/" + RootName(Convert.ToInt32(e.PayloadByName("Type"), CultureInfo.InvariantCulture)); break;
            case 203:
                // GCJoin_V2: Heap, JoinTime, JoinType (4 bytes each), ClrInstanceID (2), then the join's gc_join_stage; the
                // restart half of a join carries -1 there.
                var data = e.EventData();
                var stage = data.Length >= 18 ? BitConverter.ToInt32(data, 14) : -1;
                if (stage < 0)
                {
                    return;
                }

                name = "Join/" + JoinName(stage);
                break;
            case 4:
                HeapStats(e.EventData());
                return;
            default:
                return;
        }

        _events.Add((name, e.TimeStampRelativeMSec));
        if (name == "GC/RestartEEStop")
        {
            EndPause();
        }
    }

    private void EndPause()
    {
        _pauses++;
        var times = new double[Landmarks.Length];
        for (var i = 0; i < Landmarks.Length; i++)
        {
            // The first occurrence after the previous landmark (dependent handles and finalization repeat some joins).
            var after = i == 0 ? double.MinValue : times[i - 1];
            var found = _events.FindIndex(ev => ev.Name == Landmarks[i].Landmark && ev.Time >= after);
            if (found < 0)
            {
                _withoutLandmarks++;
                return;
            }

            times[i] = _events[found].Time;
        }

        for (var i = 1; i < Landmarks.Length; i++)
        {
            var phase = Landmarks[i].Phase;
            (_phases.TryGetValue(phase, out var list) ? list : _phases[phase] = []).Add(times[i] - times[i - 1]);
        }
    }

    // GCHeapStats_V2: generation sizes after the collection (generations 0..3 and their promoted bytes, 8 bytes each),
    // finalization figures, then pinned objects, sync blocks and GC handles (4 bytes each).
    private void HeapStats(byte[] data)
    {
        var gen1 = BitConverter.ToInt64(data, 16);
        _gen1Changes += _lastGen1 is { } last && last != gen1 ? 1 : 0;
        _lastGen1 = gen1;
        _lastHeap = string.Create(CultureInfo.InvariantCulture,
            $"gen0 {BitConverter.ToInt64(data, 0) / 1024} KB, gen1 {gen1 / 1024} KB, gen2 {BitConverter.ToInt64(data, 32) / 1024} KB, LOH {BitConverter.ToInt64(data, 48) / 1024} KB, GC handles {BitConverter.ToInt32(data, 88)}");
    }

    public void Print()
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  phases of {_pauses - _withoutLandmarks} of {_pauses} pauses (ms)      mean    p50    p90"));
        foreach (var (_, phase) in Landmarks.Skip(1))
        {
            if (_phases.TryGetValue(phase, out var list))
            {
                var sorted = list.Order().ToArray();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {phase,-48} {sorted.Average(),6:F3} {sorted[sorted.Length / 2],6:F3} {sorted[(int)(sorted.Length * 0.9)],6:F3}"));
            }
        }

        Console.WriteLine($"  heap after the last GC: {_lastHeap}; GCs after which gen1 had changed: {_gen1Changes}");
    }

    /// <summary>The runtime's <c>gc_root_kind</c> values (the <c>Type</c> of <c>GCMarkWithType</c>).</summary>
    internal static string RootName(int kind) => kind switch
    {
        0 => "stacks",
        1 => "finalization queue",
        2 => "handles",
        3 => "older generations",
        4 => "sized refs",
        5 => "overflow",
        6 => "dependent handles",
        7 => "new finalization queue",
        _ => $"kind {kind}",
    };

    private static string JoinName(int stage) => stage switch
    {
        1 => "done",
        2 => "generation_determined",
        3 => "begin_mark_phase",
        4 => "scan_dependent_handles",
        7 => "null_dead_short_weak",
        8 => "scan_finalization",
        9 => "null_dead_long_weak",
        10 => "null_dead_syncblk",
        11 => "decide_on_compaction",
        13 => "adjust_handle_age_compact",
        14 => "adjust_handle_age_sweep",
        15 => "begin_relocate_phase",
        16 => "relocate_phase_done",
        _ => stage.ToString(CultureInfo.InvariantCulture),
    };
}
