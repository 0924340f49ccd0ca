using Rcmd.Security;

namespace Rcmd.Core.Tests.Security;

public sealed class OidcOptionsTests
{
    private static OidcOptions Options(string? authority, string? clientId = "rcmd", params (string Value, string Role)[] map)
    {
        var options = new OidcOptions { Authority = authority, ClientId = clientId };
        foreach (var (value, role) in map.Length == 0 ? [("rcmd-admins", "admin")] : map)
        {
            options.RoleMap[value] = role;
        }

        return options;
    }

    [Fact]
    public void Refusal_NoAuthority_IsOff()
    {
        var options = new OidcOptions();

        Assert.False(options.Enabled);
        Assert.Null(options.Refusal());
    }

    [Theory]
    [InlineData("https://login.example.com/tenant/v2.0")]
    [InlineData("http://127.0.0.1:5001/")]
    [InlineData("http://localhost:5001/")]
    [InlineData("http://[::1]:5001/")]
    public void Refusal_HttpsOrLoopbackHttp_IsAccepted(string authority) => Assert.Null(Options(authority).Refusal());

    [Theory]
    [InlineData("http://idp.example.com/")]
    [InlineData("http://10.0.0.5/")]
    public void Refusal_PlainHttpOffLoopback_SaysHttpsInOneLine(string authority)
    {
        var refusal = Options(authority).Refusal();

        Assert.NotNull(refusal);
        Assert.StartsWith("Rcmd__Auth__Oidc__Authority must use https", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refusal);
    }

    [Fact]
    public void Refusal_NotAUrl_NoClientId_EmptyOrBadRoleMap()
    {
        Assert.Contains("absolute https URL", Options("login.example.com").Refusal(), StringComparison.Ordinal);
        Assert.Contains("ClientId is required", Options("https://idp.example.com", clientId: null).Refusal(), StringComparison.Ordinal);
        Assert.Contains("RoleMap__g must be viewer, operator or admin", Options("https://idp.example.com", "rcmd", ("g", "root")).Refusal(), StringComparison.Ordinal);
        var empty = new OidcOptions { Authority = "https://idp.example.com", ClientId = "rcmd" };
        Assert.Contains("maps no claim value to a role", empty.Refusal(), StringComparison.Ordinal);
    }

    [Fact]
    public void MapRole_TheHighestMappedValueWins_NoneMappedIsNull()
    {
        var options = Options("https://idp.example.com", "rcmd", ("staff", "viewer"), ("ops", "operator"), ("admins", "admin"));

        Assert.Equal(Role.Operator, options.MapRole(["staff", "ops", "other"]));
        Assert.Equal(Role.Admin, options.MapRole(["admins", "staff"]));
        Assert.Null(options.MapRole(["other", "Ops"])); // values match exactly, as the provider sends them
        Assert.Null(options.MapRole([]));
    }

    [Fact]
    public void ProviderName_DisplayNameElseTheAuthoritysHost()
    {
        Assert.Equal("login.example.com", Options("https://login.example.com/tenant").ProviderName);
        Assert.Equal("Contoso", new OidcOptions { Authority = "https://login.example.com", DisplayName = " Contoso " }.ProviderName);
    }
}
