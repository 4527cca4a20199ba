using CompanyOs.Prompts.Library;
using CompanyOs.Prompts.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace CompanyOs.Prompts.Tests.Library;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public void AddPromptLibrary_registers_one_library_as_itself_and_as_the_interface()
    {
        var services = new ServiceCollection().AddPromptLibrary(o => o.Directory = ShippedPrompts.Root);
        using var provider = services.BuildServiceProvider();

        var library = provider.GetRequiredService<PromptLibrary>();

        Assert.Same(library, provider.GetRequiredService<IPromptLibrary>());
        Assert.Equal(ShippedPrompts.Root, library.Directory);
        Assert.Equal("1.1", library.Render("researcher/literature_review", new Dictionary<string, object?> { ["topic"] = "x" }).Version);
    }
}
