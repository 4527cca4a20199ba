using System.Globalization;
using System.Text;

namespace CompanyOs.Prompts.Compilation;

/// <summary>Characters a render may still write, shared by every text of one prompt so the limit is for the whole prompt.</summary>
internal sealed class OutputBudget(int limit, string what)
{
    private long _written;

    public int Limit { get; } = limit;

    public void Spend(int characters)
    {
        _written += characters;
        if (_written > Limit)
        {
            throw new RenderLimitException(string.Create(CultureInfo.InvariantCulture, $"{what} exceeds the maximum rendered size of {Limit} characters (PromptLibraryOptions.MaxRenderedSize)"));
        }
    }
}

/// <summary>A <see cref="StringWriter"/> that refuses to grow past its <see cref="OutputBudget"/>, checked before each write.</summary>
internal sealed class BoundedStringWriter(OutputBudget budget) : StringWriter(new StringBuilder(), CultureInfo.InvariantCulture)
{
    public override void Write(char value)
    {
        budget.Spend(1);
        base.Write(value);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        budget.Spend(count);
        base.Write(buffer, index, count);
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        budget.Spend(buffer.Length);
        base.Write(buffer);
    }

    public override void Write(string? value)
    {
        budget.Spend(value?.Length ?? 0);
        base.Write(value);
    }

    public override void Write(StringBuilder? value)
    {
        budget.Spend(value?.Length ?? 0);
        base.Write(value);
    }

    public override Task WriteAsync(char value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(char[] buffer, int index, int count)
    {
        Write(buffer, index, count);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(StringBuilder? value, CancellationToken cancellationToken = default)
    {
        Write(value);
        return Task.CompletedTask;
    }
}
