using CompanyOs.Tools.Configuration;

namespace CompanyOs.Configuration.Tests;

public sealed class ProjectReferenceTests
{
    [Fact]
    public void Tools_reads_its_configuration_without_the_llm_layer()
    {
        var references = typeof(ToolsConfigLoader).Assembly.GetReferencedAssemblies().Select(a => a.Name);

        Assert.Contains("CompanyOs.Configuration", references);
        Assert.DoesNotContain("CompanyOs.Llm", references);
    }
}
