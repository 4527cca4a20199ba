namespace CompanyOs.Prompts.Tests.Support;

/// <summary>The repository's prompts/ directory as copied next to the test assembly.</summary>
internal static class ShippedPrompts
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "shipped-prompts");
}
