namespace CompanyOs.Llm.Errors;

/// <summary>Base of every failure the LLM layer reports on purpose. Callers catch this family, never provider SDK exceptions.</summary>
public class LlmException : Exception
{
    public LlmException(string message)
        : base(message)
    {
    }

    public LlmException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
