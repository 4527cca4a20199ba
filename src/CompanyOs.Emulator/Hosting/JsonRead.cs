using System.Globalization;
using System.Text.Json;

namespace CompanyOs.Emulator.Hosting;

/// <summary>Reads request fields, throwing <see cref="InvalidRequestException"/> that names the field path.</summary>
internal static class JsonRead
{
    public static JsonElement Object(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException($"{path}: expected an object, got {Describe(root)}.", path);
        }

        return root;
    }

    public static string RequiredString(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new InvalidRequestException($"{Join(path, name)}: field required.", Join(path, name));
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new InvalidRequestException($"{Join(path, name)}: expected a string, got {Describe(value)}.", Join(path, name));
        }

        return value.GetString()!;
    }

    public static string? OptionalString(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new InvalidRequestException($"{Join(path, name)}: expected a string, got {Describe(value)}.", Join(path, name));
    }

    public static bool OptionalBool(JsonElement obj, string name, string path, bool fallback)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidRequestException($"{Join(path, name)}: expected a boolean, got {Describe(value)}.", Join(path, name)),
        };
    }

    public static int? OptionalPositiveInt(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < 1)
        {
            throw new InvalidRequestException($"{Join(path, name)}: expected a positive integer, got {Describe(value)}.", Join(path, name));
        }

        return number;
    }

    public static JsonElement? OptionalArray(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Array
            ? value
            : throw new InvalidRequestException($"{Join(path, name)}: expected an array, got {Describe(value)}.", Join(path, name));
    }

    /// <summary>
    /// The optional array <paramref name="name"/> of objects (empty when absent), each read by <paramref name="read"/>
    /// with its own path (<c>tools[2]</c>) so every dialect reports a bad entry the same way.
    /// </summary>
    public static T[] OptionalObjects<T>(JsonElement obj, string name, string path, Func<JsonElement, string, T> read)
    {
        if (OptionalArray(obj, name, path) is not { } array)
        {
            return [];
        }

        var result = new T[array.GetArrayLength()];
        var i = 0;
        foreach (var element in array.EnumerateArray())
        {
            var elementPath = Index(Join(path, name), i);
            result[i++] = read(Object(element, elementPath), elementPath);
        }

        return result;
    }

    /// <summary>
    /// The object <paramref name="name"/>; when it is absent or not an object, <paramref name="missing"/> words the error
    /// from the field's path, as the provider being emulated words it.
    /// </summary>
    public static JsonElement RequiredObject(JsonElement obj, string name, string path, Func<string, string> missing)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException(missing(Join(path, name)), Join(path, name));
        }

        return value;
    }

    public static IReadOnlyList<string> StringOrStrings(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return [value.GetString()!];
        }

        if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String))
        {
            return value.EnumerateArray().Select(v => v.GetString()!).ToArray();
        }

        throw new InvalidRequestException($"{Join(path, name)}: expected a string or an array of strings.", Join(path, name));
    }

    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    public static string Index(string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
