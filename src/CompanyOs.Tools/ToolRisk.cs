namespace CompanyOs.Tools;

public enum ToolRisk
{
    /// <summary>Unknown risk counts as high.</summary>
    High = 0,
    Low = 1,
}
