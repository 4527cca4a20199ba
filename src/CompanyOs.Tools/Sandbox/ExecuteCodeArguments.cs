using System.ComponentModel;

namespace CompanyOs.Tools.Sandbox;

/// <summary>Arguments of <c>execute_code</c>.</summary>
public sealed record ExecuteCodeArguments(
    [property: Description("Interpreter: python, bash or node.")] CodeLanguage Language,
    [property: Description("The program text, run as a script.")] string Code);
