namespace Rcmd.Security;

/// <summary>One role per account or key; each includes the ones before it.</summary>
public enum Role
{
    /// <summary>Reads everything but secrets.</summary>
    Viewer = 1,

    /// <summary>Viewer + submit, cancel, retry and rerun jobs and batches, schedules, browse remotes.</summary>
    Operator = 2,

    /// <summary>Operator + breakers reset/isolate, notification channels, accounts, API keys, audit.</summary>
    Admin = 3,
}

/// <summary>The wire names of <see cref="Role"/> and the authorization policy of each.</summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    /// <summary>The claim that carries the role.</summary>
    public const string ClaimType = "rcmd:role";

    /// <summary>The claim that says how the caller signed in (key, basic, local).</summary>
    public const string MethodClaimType = "rcmd:via";

    public static string ToWire(Role role) => role switch
    {
        Role.Viewer => Viewer,
        Role.Operator => Operator,
        Role.Admin => Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static bool TryParse(string? value, out Role role)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case Viewer: role = Role.Viewer; return true;
            case Operator: role = Role.Operator; return true;
            case Admin: role = Role.Admin; return true;
            default: role = default; return false;
        }
    }

    /// <summary>The authorization policy that admits <paramref name="role"/> and the roles above it.</summary>
    public static string Policy(Role role) => "rcmd:" + ToWire(role);

    public const string ViewerPolicy = "rcmd:" + Viewer;
    public const string OperatorPolicy = "rcmd:" + Operator;
    public const string AdminPolicy = "rcmd:" + Admin;
}
