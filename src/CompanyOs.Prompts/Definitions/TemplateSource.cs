namespace CompanyOs.Prompts.Definitions;

/// <summary>
/// The Liquid text of one field (<c>system</c>, <c>user</c>, <c>few_shot_examples[0].input</c>…) and where it starts in the
/// YAML file, so that errors inside the template can be reported as file lines.
/// </summary>
/// <param name="Field">The field path, e.g. <c>system</c>.</param>
/// <param name="Text">The template text.</param>
/// <param name="FirstLine">1-based file line of the template's first line.</param>
/// <param name="FirstColumn">1-based file column of the template's first character (for single-line scalars).</param>
internal sealed record TemplateSource(string Field, string Text, int FirstLine, int FirstColumn)
{
    /// <summary>Maps a 1-based line inside the template to a 1-based line in the file.</summary>
    public int FileLine(int templateLine) => FirstLine + Math.Max(templateLine, 1) - 1;

    /// <summary>Maps a 1-based template position to a 1-based file column (only the first line is offset).</summary>
    public int FileColumn(int templateLine, int templateColumn) =>
        templateLine <= 1 ? FirstColumn + Math.Max(templateColumn, 1) - 1 : Math.Max(templateColumn, 1);
}
