using System.Globalization;
using System.Runtime.CompilerServices;
using Fluid;
using Fluid.Values;

namespace CompanyOs.Prompts.Compilation;

/// <summary>
/// The resource bounds of rendering. Fluid 2.x bounds steps and recursion but not memory: a range is allocated whole
/// before a step is counted, and a string can double on every step. So every value a template can make bigger than its
/// inputs is bounded: filter results are measured, ranges are sized before they are allocated, captures render into a
/// bounded buffer (an assign only copies a reference, so it needs no check), filters that can multiply their input in a single call (<c>replace</c>,
/// <c>join</c>, formats with a width) are checked before they run, and the whole output is written to a bounded writer.
/// </summary>
internal sealed class RenderLimits
{
    /// <summary>Default of <c>PromptLibraryOptions.MaxRenderedSize</c>.</summary>
    public const int DefaultMaxRenderedSize = 1_000_000;

    /// <summary>Default of <c>PromptLibraryOptions.MaxRenderTime</c>.</summary>
    public static readonly TimeSpan DefaultMaxRenderTime = TimeSpan.FromSeconds(5);

    /// <summary>Statements a render may execute (Fluid's <see cref="TemplateOptions.MaxSteps"/>).</summary>
    public const int MaxSteps = 100_000;

    /// <summary>Items a range <c>(a..b)</c> may hold; more than <see cref="MaxSteps"/> could never be iterated anyway.</summary>
    public const int MaxRangeSize = MaxSteps;

    /// <summary>Largest number a format argument may contain (a width or precision such as <c>{0,99999}</c> or <c>D99999</c>).</summary>
    public const int MaxFormatWidth = 10_000;

    /// <summary>Sizes of lists already measured (Fluid values are immutable), kept only while the list is alive.</summary>
    private static readonly ConditionalWeakTable<ArrayValue, StrongBox<long>> MeasuredLists = [];

    private static readonly HashSet<string> FormatFilters = new(StringComparer.Ordinal) { "format_string", "format_number", "date", "format_date" };

    private const string DeadlineKey = "companyos.render_deadline";

    private readonly TimeSpan _maxRenderTime;
    private readonly TimeProvider _timeProvider;

    public RenderLimits(int maxRenderedSize, TimeSpan maxRenderTime, TimeProvider timeProvider)
    {
        MaxRenderedSize = maxRenderedSize;
        _maxRenderTime = maxRenderTime;
        _timeProvider = timeProvider;
    }

    /// <summary>Characters a whole rendered prompt may have, and the size (<see cref="SizeOf"/>) of any value made while rendering.</summary>
    public int MaxRenderedSize { get; }

    /// <summary>Replaces every filter of <paramref name="filters"/> by one that checks its inputs and its result.</summary>
    public void Guard(FilterCollection filters)
    {
        foreach (var (name, filter) in filters.ToList())
        {
            filters.AddFilter(name, (input, arguments, context) =>
            {
                CheckDeadline(context, name);
                CheckBefore(name, input, arguments);
                var result = filter(input, arguments, context);
                return result.IsCompletedSuccessfully ? new ValueTask<FluidValue>(Check(result.Result, $"filter '{name}'")) : Awaited(result, name);
            });
        }
    }

    /// <summary>Starts the clock of one render: filters called with <paramref name="context"/> fail once the render time is up.</summary>
    public void StartRender(TemplateContext context) => context.AmbientValues[DeadlineKey] = _timeProvider.GetUtcNow() + _maxRenderTime;

    /// <summary>Returns <paramref name="value"/> when its size is within the limit; throws naming <paramref name="madeBy"/> otherwise.</summary>
    public FluidValue Check(FluidValue value, string madeBy)
    {
        if (SizeOf(value, MaxRenderedSize) > MaxRenderedSize)
        {
            throw new RenderLimitException($"{madeBy} made a value of more than {MaxRenderedSize} characters, the maximum rendered size (PromptLibraryOptions.MaxRenderedSize)");
        }

        return value;
    }

    /// <summary>Throws when a range would hold more than <see cref="MaxRangeSize"/> items.</summary>
    public static void CheckRange(decimal from, decimal to)
    {
        var count = to - from + 1;
        if (count > MaxRangeSize)
        {
            throw new RenderLimitException(string.Create(CultureInfo.InvariantCulture, $"the range ({from}..{to}) would hold {count} items; the limit is {MaxRangeSize}"));
        }
    }

    /// <summary>
    /// Text length of a value, lists counting one per item plus their items, stopping as soon as it exceeds
    /// <paramref name="limit"/>. Iterative, because lists from callers can nest deeply; a list's size is remembered, so a
    /// loop that passes the same big list through a filter again and again does not measure it again each time.
    /// </summary>
    public static long SizeOf(FluidValue value, long limit)
    {
        if (value is not ArrayValue root)
        {
            return value is StringValue text ? text.ToStringValue().Length : 1;
        }

        if (MeasuredLists.TryGetValue(root, out var known))
        {
            return known.Value;
        }

        long size = 0;
        var pending = new Stack<FluidValue>();
        pending.Push(root);
        while (pending.Count > 0 && size <= limit)
        {
            switch (pending.Pop())
            {
                case ArrayValue array when array != root && MeasuredLists.TryGetValue(array, out var measured):
                    size += measured.Value;
                    break;
                case ArrayValue array:
                    size += array.Values.Count;
                    foreach (var item in array.Values)
                    {
                        pending.Push(item);
                    }

                    break;
                case StringValue text:
                    size += text.ToStringValue().Length;
                    break;
                default:
                    size++;
                    break;
            }
        }

        if (pending.Count == 0)
        {
            // Only an exact size is remembered: a measurement cut short at one library's limit is not the list's size.
            MeasuredLists.AddOrUpdate(root, new StrongBox<long>(size));
        }

        return size;
    }

    // Steps count statements, and one statement may chain any number of filters over a value of up to the maximum size
    // (a loop of 'assign t = s | upcase | downcase | …' on a 600 KB string ran for minutes within the step limit).
    private void CheckDeadline(TemplateContext context, string name)
    {
        if (context.AmbientValues.TryGetValue(DeadlineKey, out var value) && value is DateTimeOffset deadline && _timeProvider.GetUtcNow() > deadline)
        {
            throw new RenderLimitException(string.Create(
                CultureInfo.InvariantCulture,
                $"rendering took longer than {_maxRenderTime.TotalSeconds:0.###} s (PromptLibraryOptions.MaxRenderTime), stopped at filter '{name}'; a loop running filters over large values?"));
        }
    }

    private async ValueTask<FluidValue> Awaited(ValueTask<FluidValue> result, string name) => Check(await result.ConfigureAwait(false), $"filter '{name}'");

    private void CheckBefore(string name, FluidValue input, FilterArguments arguments)
    {
        long worst = name switch
        {
            "replace" => WorstReplace(input.ToStringValue(), arguments.At(0).ToStringValue(), arguments.At(1).ToStringValue()),
            "join" => SizeOf(input, MaxRenderedSize) + ((input is ArrayValue array ? array.Values.Count : 1) * (long)(arguments.Count == 0 ? 1 : arguments.At(0).ToStringValue().Length)),
            "format_string" => WorstFormat(input.ToStringValue(), arguments),
            _ => 0,
        };
        if (worst > MaxRenderedSize)
        {
            throw new RenderLimitException($"filter '{name}' would make a value of up to {worst} characters, more than the maximum rendered size of {MaxRenderedSize} (PromptLibraryOptions.MaxRenderedSize)");
        }

        if (FormatFilters.Contains(name))
        {
            var format = name == "format_string" ? input.ToStringValue() : arguments.Count == 0 ? string.Empty : arguments.At(0).ToStringValue();
            var width = LargestNumber(format);
            if (width > MaxFormatWidth)
            {
                throw new RenderLimitException(string.Create(CultureInfo.InvariantCulture, $"filter '{name}' was given the format '{Shorten(format)}', whose width {width} is over the limit of {MaxFormatWidth}"));
            }
        }
    }

    private static long WorstReplace(string input, string find, string replacement) =>
        find.Length == 0
            ? input.Length + ((input.Length + 1L) * replacement.Length)
            : input.Length + ((long)(input.Length / find.Length) * Math.Max(0, replacement.Length - find.Length));

    private long WorstFormat(string format, FilterArguments arguments)
    {
        long argumentsSize = 0;
        for (var i = 0; i < arguments.Count; i++)
        {
            argumentsSize += SizeOf(arguments.At(i), MaxRenderedSize);
        }

        return format.Length + (format.Count(c => c == '{') * argumentsSize);
    }

    /// <summary>The largest run of digits in <paramref name="format"/> read as a number (saturating), or 0.</summary>
    private static long LargestNumber(string format)
    {
        long largest = 0;
        long current = 0;
        foreach (var c in format)
        {
            current = char.IsAsciiDigit(c) ? Math.Min((current * 10) + (c - '0'), long.MaxValue / 20) : 0;
            largest = Math.Max(largest, current);
        }

        return largest;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
