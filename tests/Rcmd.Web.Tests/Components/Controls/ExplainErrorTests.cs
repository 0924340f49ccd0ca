using System.Net;
using Rcmd.Failures;
using Rcmd.Serialization;
using Rcmd.Web.Components.Controls;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Controls;

public sealed class ExplainErrorTests : RcmdTestContext
{
    [Fact]
    public void Explain_Message_PostsToClassifierAndShowsCodeAndSuggestion()
    {
        var answer = new ClassifyErrorResponse(new NormalizedError(ErrorCodes.AccessDenied, false, "Check the key's permissions."), "permanent");
        Api.On(HttpMethod.Post, "/api/errors/classify", _ => StubApi.Json(HttpStatusCode.OK, answer, RcmdJsonContext.Default.ClassifyErrorResponse));
        var cut = Render<ExplainError>(p => p.Add(x => x.Message, "AccessDenied: Access Denied status code: 403"));

        cut.Find("[data-testid=explain-button]").Click();

        cut.WaitForAssertion(() => Assert.Equal("access_denied", cut.Find("[data-testid=explain-code]").TextContent));
        Assert.Equal("Check the key's permissions.", cut.Find("[data-testid=explain-suggestion]").TextContent);
        var request = Assert.Single(Api.RequestsTo(HttpMethod.Post, "/api/errors/classify"));
        Assert.Equal("AccessDenied: Access Denied status code: 403", request.Json().GetProperty("message").GetString());
    }

    [Fact]
    public void Explain_Empty_ButtonDisabledAndNothingSent()
    {
        var cut = Render<ExplainError>();

        Assert.True(cut.Find("[data-testid=explain-button]").HasAttribute("disabled"));
        Assert.Empty(Api.Requests);
    }

    [Fact]
    public void Explain_ApiDown_ShowsTheError()
    {
        Api.Down = true;
        var cut = Render<ExplainError>(p => p.Add(x => x.Message, "boom"));

        cut.Find("[data-testid=explain-button]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Api unreachable", cut.Find("[data-testid=explain-failed]").TextContent, StringComparison.Ordinal));
    }
}
