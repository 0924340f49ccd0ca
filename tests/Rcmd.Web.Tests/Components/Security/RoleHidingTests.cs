using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Rcmd.Security;
using Rcmd.Web.Components.Layout;
using Rcmd.Web.Components.Pages;
using Rcmd.Web.Security;
using Rcmd.Web.Services;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Security;

/// <summary>What each role sees: buttons it may not use are hidden with the reason; local mode is the local admin.</summary>
public sealed class RoleHidingTests : RcmdTestContext
{
    [Fact]
    public void JobList_Viewer_NoNewJobButton_SaysWhy()
    {
        SignInAs("vera", Role.Viewer);

        var cut = Render<JobList>();

        Assert.Empty(cut.FindAll("[data-testid=new-job]"));
        Assert.NotNull(cut.Find("[data-testid=refresh-jobs]"));
        Assert.Equal("New job: needs the operator role (you are a viewer).", cut.Find("[data-testid=needs-operator]").TextContent.Trim());
    }

    [Fact]
    public void JobList_Operator_NewJobButton()
    {
        SignInAs("otto", Role.Operator);

        var cut = Render<JobList>();

        Assert.NotNull(cut.Find("[data-testid=new-job]"));
        Assert.Empty(cut.FindAll("[data-testid=needs-operator]"));
    }

    [Theory]
    [InlineData(Role.Viewer, false, false)]
    [InlineData(Role.Operator, true, false)]
    [InlineData(Role.Admin, true, true)]
    public void Layout_ServerMode_UserMenuNameAndRole_NewJobAndAuditLinksByRole(Role role, bool newJob, bool audit)
    {
        SignInAs("sam", role);

        var cut = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(_ => { })));

        Assert.Equal("sam", cut.Find("[data-testid=user-name]").TextContent);
        Assert.Equal(Roles.ToWire(role), cut.Find("[data-testid=user-role]").TextContent);
        Assert.Equal("rcmd-signout", cut.Find("[data-testid=sign-out]").GetAttribute("form"));
        Assert.Equal(newJob, cut.FindAll("[data-testid=nav-new-job]").Count == 1);
        Assert.Equal(audit, cut.FindAll("[data-testid=nav-audit]").Count == 1);
        Assert.Empty(cut.FindAll("[data-testid=local-mode]"));
    }

    [Fact]
    public void Layout_LocalMode_SaysLocalMode_EverythingShown()
    {
        var cut = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(_ => { })));

        Assert.NotNull(cut.Find("[data-testid=local-mode]"));
        Assert.Empty(cut.FindAll("[data-testid=user-menu]"));
        Assert.NotNull(cut.Find("[data-testid=nav-new-job]"));
        Assert.NotNull(cut.Find("[data-testid=nav-audit]"));
    }

    [Fact]
    public void Audit_Operator_ToldItNeedsAdmin_AndTheApiIsNotAsked()
    {
        SignInAs("otto", Role.Operator);

        var cut = Render<Audit>();

        Assert.Contains("needs the admin role (you are an operator)", cut.Find("[data-testid=needs-admin]").TextContent, StringComparison.Ordinal);
        Assert.Empty(Api.RequestsTo(HttpMethod.Get, "/api/audit"));
    }

    [Fact]
    public void Audit_Admin_ListsEntries_OlderPagesFollowTheCursor()
    {
        SignInAs("root", Role.Admin);
        Api.On(HttpMethod.Get, "/api/audit", r => StubApi.RawJson(HttpStatusCode.OK, r.QueryString.Contains("before=", StringComparison.Ordinal)
            ? """{"items":[{"id":"1-0","at":"2025-05-05T10:00:00Z","user":"otto","role":"operator","action":"CancelJob","target":"j2","outcome":"denied","status":403,"address":"10.0.0.2"}],"more":false}"""
            : """{"items":[{"id":"2-0","at":"2025-05-05T11:00:00Z","user":"vera","role":"viewer","action":"CreateJob","target":null,"outcome":"denied","status":403,"address":"10.0.0.1"}],"more":true}"""));

        var cut = Render<Audit>();

        cut.WaitForAssertion(() => Assert.Equal("vera", cut.Find("[data-testid=audit-row-user]").TextContent));
        Assert.Equal("denied", cut.Find("[data-testid=audit-row-outcome]").TextContent);
        cut.Find("[data-testid=audit-older]").Click();
        cut.WaitForAssertion(() => Assert.Equal("otto", cut.Find("[data-testid=audit-row-user]").TextContent));
        Assert.Contains("before=2-0", Api.RequestsTo(HttpMethod.Get, "/api/audit")[^1].QueryString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiClient_SignedInUser_SendsTheirSessionAsBearer_AndA403ComesBackAsTheApisReason()
    {
        var user = new DashboardUser(new DashboardAuthOptions { Mode = "server" });
        user.Use(new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "vera"), new Claim(Roles.ClaimType, "viewer"), new Claim(DashboardUser.TokenClaimType, "rcmds_token-of-vera")],
            "cookie")));
        Api.On(HttpMethod.Post, "/api/jobs/j1/cancel", _ => StubApi.Error(HttpStatusCode.Forbidden, "access_denied",
            "Your role (viewer) may not do this: it needs the operator role."));
        var client = new RcmdApiClient(new HttpClient(Api) { BaseAddress = StubApi.BaseAddress }, NullLogger<RcmdApiClient>.Instance, user);

        var result = await client.CancelJobAsync("j1", CancellationToken.None);

        Assert.Equal("Bearer rcmds_token-of-vera", Api.RequestsTo(HttpMethod.Post, "/api/jobs/j1/cancel").Single().Headers["Authorization"]);
        Assert.Equal(ApiErrorKind.Unauthorized, result.Error!.Kind);
        Assert.Equal("Your role (viewer) may not do this: it needs the operator role.", result.Error.Message);
    }
}
