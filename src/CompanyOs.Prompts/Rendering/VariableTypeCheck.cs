using System.Collections;
using System.Diagnostics.CodeAnalysis;
using CompanyOs.Prompts.Definitions;

namespace CompanyOs.Prompts.Rendering;

/// <summary>Whether a caller-supplied CLR value fits a declared variable type.</summary>
internal static class VariableTypeCheck
{
    public static bool Fits(object value, VariableType type) => type switch
    {
        VariableType.String => value is string or char or Enum,
        VariableType.Number => IsNumber(value),
        VariableType.Boolean => value is bool,
        VariableType.List => value is IEnumerable and not string and not IDictionary && !IsGenericDictionary(value),
        VariableType.Object => IsObject(value),
        _ => false,
    };

    public static string Describe(object value) => value switch
    {
        string => "a string",
        bool => "a boolean",
        _ when IsNumber(value) => "a number",
        IDictionary => "an object",
        _ when IsGenericDictionary(value) => "an object",
        IEnumerable => "a list",
        _ => $"a {value.GetType().Name}",
    };

    private static bool IsNumber(object value) =>
        value is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal;

    private static bool IsObject(object value)
    {
        if (value is IDictionary || IsGenericDictionary(value))
        {
            return true;
        }

        // Records and other plain objects are read through their public properties.
        return value is not (string or char or bool or Enum or IEnumerable) && !IsNumber(value) && !value.GetType().IsPrimitive;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Reads the interfaces of a live object's type; an interface a trimmed app never uses (IDictionary<,>, IReadOnlyDictionary<,> are used) cannot be the one looked for.")]
    private static bool IsGenericDictionary(object value) =>
        value.GetType().GetInterfaces().Any(i => i.IsGenericType
            && (i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
            && i.GetGenericArguments()[0] == typeof(string));
}
