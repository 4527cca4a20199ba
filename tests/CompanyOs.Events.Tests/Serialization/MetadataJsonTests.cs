using CompanyOs.Events.Appending;
using CompanyOs.Events.Serialization;

namespace CompanyOs.Events.Tests.Serialization;

/// <summary>
/// The stored metadata JSON: a thread reuses the JSON of the last metadata it wrote when the next one has the same values
/// (consecutive appends of one run, each with a new metadata object), and writes anything else afresh.
/// </summary>
public sealed class MetadataJsonTests
{
    private static readonly EventLocation Where = new(0, Guid.NewGuid(), "s");

    [Fact]
    public void Metadata_with_the_values_last_written_gets_the_same_json_and_any_other_value_its_own()
    {
        var first = new EventMetadata { OrgId = "org-a", CorrelationId = "run-1", Actor = "agent:x" };
        var json = Write(first);
        Assert.Equal("""{"org_id":"org-a","correlation_id":"run-1","actor":"agent:x"}""", json);
        Assert.Same(json, Write(new EventMetadata { OrgId = "org-a", CorrelationId = "run-1", Actor = "agent:x" }));

        // Each differs from the metadata written just before it in one value only.
        foreach (var (other, expected) in new (EventMetadata, string)[]
                 {
                     (first with { OrgId = "org-b" }, """{"org_id":"org-b","correlation_id":"run-1","actor":"agent:x"}"""),
                     (first with { CorrelationId = "run-2" }, """{"org_id":"org-a","correlation_id":"run-2","actor":"agent:x"}"""),
                     (first with { CausationId = "e-1" }, """{"org_id":"org-a","correlation_id":"run-1","causation_id":"e-1","actor":"agent:x"}"""),
                     (first with { Actor = "agent:y" }, """{"org_id":"org-a","correlation_id":"run-1","actor":"agent:y"}"""),
                     (first with { OrgId = null }, """{"correlation_id":"run-1","actor":"agent:x"}"""),
                 })
        {
            Assert.Equal(json, Write(first));
            Assert.Equal(expected, Write(other));
        }

        Assert.Equal("{}", Write(EventMetadata.Empty));
        Assert.Equal(json, Write(first));
    }

    [Fact]
    public void Extras_are_written_as_they_are_at_each_call_even_in_a_dictionary_changed_since()
    {
        var extra = new Dictionary<string, string> { ["k"] = "v" };
        var metadata = new EventMetadata { OrgId = "org-a", Extra = extra };
        Assert.Equal("""{"org_id":"org-a","extra":{"k":"v"}}""", Write(metadata));
        extra["k2"] = "w";
        Assert.Equal("""{"org_id":"org-a","extra":{"k":"v","k2":"w"}}""", Write(metadata));
        extra.Clear();
        Assert.Equal("""{"org_id":"org-a"}""", Write(metadata));
        extra["k3"] = "z";
        Assert.Equal("""{"org_id":"org-a","extra":{"k3":"z"}}""", Write(metadata));
    }

    [Fact]
    public void A_nul_character_is_refused_after_metadata_that_was_fine()
    {
        Write(new EventMetadata { Actor = "agent:x" });
        var error = Assert.Throws<ArgumentException>(() => Write(new EventMetadata { Actor = "agent:\0x" }));
        Assert.Contains("NUL", error.Message, StringComparison.Ordinal);
    }

    private static string Write(EventMetadata metadata) => MetadataJson.Write(metadata, Where, "events");
}
