using CompanyOs.Llm.Configuration;
using Microsoft.Extensions.Options;

namespace CompanyOs.Llm.Hosting;

/// <summary>Fails <see cref="LlmGatewayOptions"/> with the configuration error's file, key and problem.</summary>
internal sealed class LlmGatewayOptionsValidator : IValidateOptions<LlmGatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmGatewayOptions options)
    {
        try
        {
            options.Resolve();
            return ValidateOptionsResult.Success;
        }
        catch (ConfigurationException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
