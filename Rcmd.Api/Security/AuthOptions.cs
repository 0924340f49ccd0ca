using System.ComponentModel.DataAnnotations;

namespace Rcmd.Api.Security;

/// <summary>How callers are admitted.</summary>
public enum AuthMode
{
    /// <summary>Everything on loopback, no sign-in (unless <c>Rcmd:ApiKeys</c> is set): the default of <c>./rcmd run</c>.</summary>
    Local,

    /// <summary>Every request but <c>/health</c> and <c>/alive</c> needs an API key or a local account with the right role.</summary>
    Server,
}

/// <summary>
/// Sign-in, accounts, API keys and the audit trail, bound from <c>Rcmd:Auth</c> (env <c>Rcmd__Auth__…</c>) and validated
/// once at start. Secrets here (the bootstrap password, the setup token) are read once and never logged.
/// </summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Rcmd:Auth";

    /// <summary>Local or server mode. Default local (<see cref="AuthMode.Local"/>).</summary>
    public AuthMode Mode { get; set; } = AuthMode.Local;

    /// <summary>
    /// The password of the first admin (user <c>admin</c>), created at start when no admin exists. Default none.
    /// Changing it later changes nothing: it only seeds an empty account store.
    /// </summary>
    public string? BootstrapAdminPassword { get; set; }

    /// <summary>
    /// A one-time token that lets <c>POST /api/auth/setup</c> set the first admin's password while no admin exists (the
    /// AppHost makes one and prints the link). Default none.
    /// </summary>
    public string? SetupToken { get; set; }

    /// <summary>
    /// The dashboard's OpenID Connect sign-in (<c>Rcmd:Auth:Oidc</c>): the Api validates the ID tokens the Web hands it
    /// (<see cref="OidcSignIn"/>) and maps them to a role. An authority counts as a way to sign in at start. Default off.
    /// </summary>
    public OidcOptions Oidc { get; set; } = new();

    /// <summary>Failed password checks in a row that lock an account. Default 5.</summary>
    [Range(1, 1000)]
    public int LockoutThreshold { get; set; } = AuthConstants.DefaultLockoutThreshold;

    /// <summary>How long a locked account stays locked. Default 15 min.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = AuthConstants.DefaultLockoutDuration;

    /// <summary>Failed sign-ins one address may make per <see cref="FailureWindow"/> before it is answered 429. Default 20.</summary>
    [Range(1, 100_000)]
    public int FailuresPerWindow { get; set; } = AuthConstants.DefaultFailuresPerWindow;

    /// <summary>The window of <see cref="FailuresPerWindow"/>. Default 1 min.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailureWindow { get; set; } = AuthConstants.DefaultFailureWindow;

    /// <summary>A dashboard session unused this long ends (each use renews it). Default 8 h.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan SessionIdleTimeout { get; set; } = AuthConstants.DefaultSessionIdleTimeout;

    /// <summary>A dashboard session ends this long after sign-in, however much it is used. Default 7 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan SessionMaxLifetime { get; set; } = AuthConstants.DefaultSessionMaxLifetime;

    /// <summary>Audit entries kept at most (approximately: MAXLEN ~). Default 100,000.</summary>
    [Range(100, 100_000_000)]
    public int AuditMaxEntries { get; set; } = AuthConstants.DefaultAuditMaxEntries;

    /// <summary>Audit entries older than this are trimmed (MINID ~). Default 90 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan AuditMaxAge { get; set; } = AuthConstants.DefaultAuditMaxAge;

    /// <summary>An empty value means none; a value given must be long enough (8 characters for the password, 16 for the token).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BootstrapAdminPassword is { Length: > 0 and < AuthConstants.MinPasswordLength })
        {
            yield return new ValidationResult($"At least {AuthConstants.MinPasswordLength} characters.", [nameof(BootstrapAdminPassword)]);
        }

        if (SetupToken is { Length: > 0 and < AuthConstants.MinSetupTokenLength })
        {
            yield return new ValidationResult($"At least {AuthConstants.MinSetupTokenLength} characters.", [nameof(SetupToken)]);
        }
    }

    /// <summary>True when a caller could ever sign in without an account in Redis: a bootstrap password, a setup token or OIDC.</summary>
    public bool HasConfiguredSignIn =>
        !string.IsNullOrEmpty(BootstrapAdminPassword) || !string.IsNullOrEmpty(SetupToken) || Oidc.Enabled;
}

internal static class AuthConstants
{
    public const int MinPasswordLength = 8;
    public const int MinSetupTokenLength = 16;
    public const int DefaultLockoutThreshold = 5;
    public const int DefaultFailuresPerWindow = 20;
    public const int DefaultAuditMaxEntries = 100_000;
    public const string BootstrapAdminName = "admin";
    public static readonly TimeSpan DefaultLockoutDuration = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan DefaultFailureWindow = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan DefaultAuditMaxAge = TimeSpan.FromDays(90);
    public static readonly TimeSpan DefaultSessionIdleTimeout = TimeSpan.FromHours(8);
    public static readonly TimeSpan DefaultSessionMaxLifetime = TimeSpan.FromDays(7);

    /// <summary>A session's expiry is pushed back at most this often (one write per session per minute).</summary>
    public static readonly TimeSpan SessionRenewResolution = TimeSpan.FromMinutes(1);

    /// <summary>A key's last use is written at most this often (one write per key per minute, not one per request).</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>A verified Basic password is remembered this long, so PBKDF2 does not run on every request of a client.</summary>
    public static readonly TimeSpan VerifiedPasswordLifetime = TimeSpan.FromMinutes(1);
}
