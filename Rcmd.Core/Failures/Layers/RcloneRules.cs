namespace Rcmd.Failures.Layers;

/// <summary>The rclone layer's text rules: rclone's sentinels, RC server texts, rcd log lines, in order.</summary>
public static class RcloneRules
{
    private const string OAuthHint = "The OAuth token of {remote} has expired or was revoked: run 'rclone config reconnect {name}:' and try again.";
    private const string QuotaHint = ProviderLayer.QuotaHint;

    /// <summary>rclone's verdicts on the request (RC input, flags, rc authentication), read before every layer.</summary>
    public static IReadOnlyList<EvidenceRule> Request { get; } =
    [
        EvidenceRule.Of(ErrorCodes.AccessDenied, @"authentication must be set up on the rc server|requires authentication to be set up", "rc server needs authentication for this method",
            "Start rcd with --rc-user/--rc-pass (Rcmd's AppHost does) so this RC method is allowed."),
        EvidenceRule.Of(ErrorCodes.ValidationError, @"failed to read input JSON|Didn't find key "".*"" in input|couldn't parse key|invalid argument "".*"" for ""-|method "".*"" not allowed|needs \d+ arguments? (?:minimum|maximum)|accepts (?:at most )?\d+ arg|\bReshape failed\b", "rc/CLI parameter error"),
    ];

    public static IReadOnlyList<EvidenceRule> All { get; } =
    [
        // Job flow
        EvidenceRule.Of(ErrorCodes.Canceled, @"\bcontext canceled\b|\bthe operation was canceled\b|\bcanceled by (?:the )?user\b|\bjob (?:was )?stopped\b", "context canceled"),
        EvidenceRule.Of(ErrorCodes.ServerRestarted, @"\bjob not found\b|\bno job with id\b", "job not found (rcd restarted and forgot the job)",
            "rcd restarted and no longer knows the job: submit it again (copy and sync are safe to re-run)."),
        EvidenceRule.Of(ErrorCodes.ServerRestarted, @"\b(?:rcd|rclone|server|worker) (?:was |has )?restarted\b|\bsignal: (?:killed|terminated)\b|server is (?:shutting down|starting|restarting)|http: Server closed|Server shutting down|\bshutting down\b|\bstarting up\b|(?<!mount )\bnot (?:yet )?ready\b|\brclone process (?:not present|died|exited)|SIGTERM|SIGKILL|exit status 1[34]\d\b", "server starting, stopping or restarted"),
        // A mount that did not come up: its cause is elsewhere in rclone's log (FUSE, config), not a server restarting
        EvidenceRule.Of(ErrorCodes.Unknown, @"\bmount not ready\b", "mount did not come up",
            "rclone mount did not come up: read the lines above it in rclone's log (FUSE missing, remote unreachable, bad config)."),
        // The engine
        EvidenceRule.Of(ErrorCodes.TransferEngineIncompatible, @"requires rclone v?\d+\.\d+|\brclone v?\d+\.\d+\S* is too old|unknown option block ""|output of 'rclone version' doesn't start with", "rclone too old"),
        // Clock
        EvidenceRule.Of(ErrorCodes.RequestTimeSkewed, @"time may be set wrong|difference between the request time and the (?:current|server's) time|date header too old|Signature expired: .* is now earlier than|\bclock skew\b|token used before issued|\bclock\b[^\n]*\b(?:wrong|off|skew)", "clock off"),
        // A bare "Try again" (EAGAIN, as go-mega and libc say it) ends the message: the service is busy, whatever the wrapper
        EvidenceRule.Of(ErrorCodes.RateLimited, @"(?:^|:\s*)try again\.?\s*$", "asked to try again (EAGAIN)"),
        // Credentials
        EvidenceRule.Of(ErrorCodes.InvalidCredentials, @"Access Key Id you provided does not exist|security token included in the request is (?:invalid|expired)", "access key unknown to the provider"),
        EvidenceRule.Of(ErrorCodes.InvalidCredentials, @"ssh: unable to authenticate|no supported methods remain|couldn't connect to ssh-agent|SSH_AUTH_SOCK not-specified|couldn't read ssh agent signers|failed to (?:read|parse) private key", "SSH authentication failed"),
        EvidenceRule.Of(ErrorCodes.InvalidCredentials, @"couldn't fetch token|cannot fetch token|maybe token expired|failed to (?:get|refresh) token|token (?:has )?expired|empty token\b|missing [\w-]+ (?:trust |access |auth |session )?token\b|\binvalid_grant\b|\binvalid_client\b|\bunauthorized_client\b|missing access_token|config reconnect", "OAuth token unusable", OAuthHint),
        EvidenceRule.Of(ErrorCodes.InvalidCredentials, @"NoCredentialProviders|no valid providers in chain|failed to refresh cached credentials|no EC2 IMDS role found|SharedCredsLoad|get credentials|DefaultAzureCredential|ClientSecretCredential|ManagedIdentityCredential|EnvironmentCredential|credential (?:is )?(?:missing|unavailable)|no credentials|error processing credentials|error opening service account credentials file|failed configuring [^\n]*Service Account|service account (?:credentials|key) (?:is )?(?:invalid|unusable)", "no credential provider"),
        EvidenceRule.Of(ErrorCodes.InvalidCredentials, @"when revealing password - is it obscured\?|decrypt password|failed to authenticate decrypted block|\bbad password\b|couldn't decrypt configuration|unable to decrypt configuration|RCLONE_CONFIG_PASS", "password unusable"),
        EvidenceRule.Of(ErrorCodes.InvalidCredentials, @"\bLog ?in (?:incorrect|failed)\b|logon (?:is invalid|failure)|\b(?:username|user name|password)(?: or password)? (?:was |is )?incorrect\b|\bsign[- ]?in failed\b|\bincorrect (?:username|user name|user|password)\b|\binvalid (?:global )?session\b|\bmissing [\w-]*(?:auth|token)[\w-]* cookie\b|\b2FA ?code\b|validate2FA|private key should be a PEM|\bnot logged in\b|couldn't log ?in\b|\bAuthentication (?:failed|required)\b|\bInvalid (?:credentials|username or password|password|api key|access key)\b|\binvalid '?(?:access[_ ]|auth(?:entication)?[_ ]|session[_ ])?token'?|\binvalid_?auth_?token\b|\bunable to log ?in\b|\blog ?in required\b|\bwrong password\b|\bAuthorization Failed\b|\bUnauthorized\b|\bunauthenticated\b|(?<![-\w])2FA\b|\btwo[- ]factor\b|\bone[- ]time (?:code|password)\b|\bT?OTP (?:code )?(?:required|invalid|wrong)", "authentication failed"),
        // Permission
        EvidenceRule.Of(ErrorCodes.AccessDenied, @"not ?Premium|premium (?:account|subscription|plan) (?:is )?required|upgrade your (?:plan|account)|not available (?:on|for|in) your (?:plan|account)", "not in the account's plan"),
        EvidenceRule.Of(ErrorCodes.AccessDenied, @"administratively prohibited|\bAPI only allows \w+ing (?:to|in|from)\b|read[- ]only|\bpermission denied\b|\baccess denied\b|\bnot allowed\b|\bForbidden\b(?! (?:characters?|chars?|names?)\b)|\binsufficient permissions?\b|\bOperation forbidden\b", "permission denied"),
        // Rate
        EvidenceRule.Of(ErrorCodes.RateLimited, @"too many requests|too many (?:login )?(?:tries|attempts)|too many (?:concurrent|simultaneous|parallel) \w+|please wait\b|slow down\b|back ?off\b|rate limit|\bthrottl|too many connections|server is busy|too busy|try again later|please try again|temporarily unavailable|Service Unavailable|reduce your request rate|Retry-After", "asked to slow down"),
        // Quota (no code of its own)
        EvidenceRule.Of(ErrorCodes.Unknown, @"quota|insufficient (?:storage|space)|storage (?:is )?full|not enough (?:space|storage)|over (?:its|the) limit|storage cap", "storage quota", QuotaHint),
        // Consequences and environment
        EvidenceRule.Of(ErrorCodes.Unknown, @"not deleting (?:files|directories) as there were IO errors|there (?:was|were) \d+ errors? in (?:the )?(?:copy|sync)|CA bundle|AWS_CA_BUNDLE|ca-?cert", "consequence or environment fault"),
        // State
        EvidenceRule.Of(ErrorCodes.Conflict, @"\bin limited fs\b|\block ?file (?:found|exists|in place)|prior lock\b|--resync to recover|must run --resync|draft exists?\b|being uploaded (?:at|by|from) another|can't upload files here|name is not available|already (?:taken|in use)|\bis a file not a directory\b|found file when looking for folder|\bis a directory not a file\b|\bis not a regular file\b|can't copy directory - destination already exists|directory not empty|\bal+re?a?dy exists\b|immutable file modified|source file is being updated|\blocked\b|precondition|Object in GLACIER|restore first|InvalidObjectState|archive tier|\bchanged\b[^\n]*(?:during|while)|invalid (?:file )?handle|not empty", "target in the wrong state"),
        // A server answered with something that is not the JSON rclone expects (an HTML error page, an empty body)
        EvidenceRule.Of(ErrorCodes.Unknown, @"invalid character '[^']{1,4}' looking for beginning of value|unexpected end of JSON input|(?<!Unmarshal: )json: cannot unmarshal \w+ into Go (?:struct field|value)", "the server's answer is not JSON",
            "The server answered with something that is not JSON (often an HTML error page from a proxy): check the endpoint and the server's log."),
        // Names and values rclone was given that it cannot use (read before "not found": "command not found")
        EvidenceRule.Of(ErrorCodes.ValidationError, @"(?:does not have|has no|no) (?:a )?remote (?:called|named)|\brequest body: [^\n]*(?:did not match pattern|could not decode input as JSON|unknown field|missing required field)|could not decode input as JSON|Bad HTTP ""Content-Type"" header|(?:contains?|with) (?:forbidden|illegal|unsupported|disallowed|invalid) (?:characters?|chars?)\b|(?:forbidden|illegal|unsupported|disallowed|invalid) (?:characters?|chars?) in (?:the )?(?:file ?|folder ?|directory ?|object ?)?(?:names?|paths?)\b|illegal base64 data|unable to get drive_id and drive_type|choose a bucket using lsd|ssh: subsystem request failed|TotalPartsExceeded|MaxUploadParts|Adjust PartSize|invalid (?:file|folder|file/folder|directory|object|bucket)s? ?name|command "".*"" failed: command not found|couldn't find (?:flag|option)\b|found key without value|unquoted config value must end with|missing type in (?:the )?config(?:uration)?|can't (?:list|make|create) buckets? without (?:a )?project number|- set (?:it )?explicitly\b|provider "".*"" not known|not known - please set", "unknown name or malformed config"),
        // Missing
        EvidenceRule.Of(ErrorCodes.NotFound, @"\bdirectory not found\b|couldn't find (?:the )?(?:directory|root|file|folder|object)\b|\bobject not found\b|is a directory or doesn't exist|\bdoes(?:n't| not) exist\b|\bnot found\b|\bno such (?:file|object|bucket|container|key)\b|\bNo Such\b", "not found"),
        // Invalid requests and config
        EvidenceRule.Of(ErrorCodes.ValidationError, @"(?:didn't|couldn't) find section in config(?: file)?|Didn't find key "".*"" in input|couldn't parse key|failed to read input JSON|invalid JSON|invalid character .* looking for|cannot unmarshal|Reshape failed|\bunknown key\b|expecting .* got|overlapping remotes|can't copy to (?:the )?same file|bucket or container name is needed|doesn't support|optional feature not implemented|not implemented|incompatible remotes|can't upload empty files|unsupported protocol scheme|invalid argument "".*"" for ""-|needs \d+ arguments? (?:minimum|maximum)|accepts (?:at most )?\d+ arg|method "".*"" not allowed|unsupported charset|\binvalid (?:value|parameter|name|path|url|option)\b|\bmust be\b|\bparse error\b|couldn't parse|\bBad Request\b", "invalid parameter or config"),
        // Timeouts and unreachable said in rclone's words
        EvidenceRule.Of(ErrorCodes.UpstreamTimeout, @"\bRequestTimeout\b|Request Time-?out|Gateway ?Time-?out|\bOperationTimedOut\b|\btimed out\b|\btimeout\b", "timeout"),
        EvidenceRule.Of(ErrorCodes.NetworkError, @"corrupted on transfer|did not match data received|error reading uploaded data|\bBadDigest\b|\bBad ?Gateway\b|\bEOF\b|connection closed|closed by (?:remote|peer|server)", "connection broke"),
        EvidenceRule.Of(ErrorCodes.EndpointUnreachable, @"couldn't connect|could not connect|unable to connect|failed to make FTP connection|connection failed|failed to dial", "could not connect"),
    ];
}
