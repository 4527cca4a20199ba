namespace CompanyOs.Prompts.Compilation;

/// <summary>Thrown from Fluid's undefined-value hook; translated into a <see cref="PromptException"/> by the renderer.</summary>
internal sealed class UndefinedVariableException : Exception
{
    public UndefinedVariableException(string variable)
        : base($"undefined variable '{variable}'") => Variable = variable;

    public UndefinedVariableException()
    {
    }

    public UndefinedVariableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string? Variable { get; }
}
