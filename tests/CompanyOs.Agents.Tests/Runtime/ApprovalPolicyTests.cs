using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Definitions;

namespace CompanyOs.Agents.Tests.Runtime;

public sealed class ApprovalPolicyTests
{
    [Fact]
    public void Unknown_risk_waits_under_supervised_autonomy()
    {
        Assert.NotNull(ApprovalPolicy.ReasonToWait(AutonomyLevel.Supervised, "mystery", null));
        Assert.Null(ApprovalPolicy.ReasonToWait(AutonomyLevel.Autonomous, "mystery", null));
        Assert.NotNull(ApprovalPolicy.ReasonToWait(AutonomyLevel.Manual, "mystery", null));
    }
}
