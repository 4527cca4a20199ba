using CompanyOs.Llm.Errors;

namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>
/// The spend store that budgets are shared through (Redis) does not answer, so the call's spend cannot be reserved: the call
/// is refused rather than run without its budget checked. Retry shortly.
/// </summary>
public sealed class SpendStoreUnavailableException : LlmException
{
    public SpendStoreUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
