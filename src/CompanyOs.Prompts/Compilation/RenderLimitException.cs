namespace CompanyOs.Prompts.Compilation;

/// <summary>
/// A render went past one of the library's resource limits (range, value or output size, format width). Thrown from
/// inside Fluid and translated into a <see cref="PromptException"/> naming template, version and field by the renderer.
/// </summary>
internal sealed class RenderLimitException : Exception
{
    public RenderLimitException()
    {
    }

    public RenderLimitException(string message)
        : base(message)
    {
    }

    public RenderLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
