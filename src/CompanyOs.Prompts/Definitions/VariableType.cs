namespace CompanyOs.Prompts.Definitions;

/// <summary>The types a template variable may declare (<c>type:</c> in YAML, lower case).</summary>
internal enum VariableType
{
    String,
    Number,
    Boolean,
    List,
    Object,
}
