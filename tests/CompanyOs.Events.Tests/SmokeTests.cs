namespace CompanyOs.Events.Tests;

public class ProjectSmokeTests
{
    [Fact]
    public void Test_project_runs() => Assert.Equal(2, 1 + 1);
}
