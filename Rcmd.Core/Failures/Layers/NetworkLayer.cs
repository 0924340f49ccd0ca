namespace Rcmd.Failures.Layers;

/// <summary>
/// Layer 2: Go's network errors (and .NET's and libc's words for the same). Could not reach →
/// <c>endpoint_unreachable</c>; reached, the answer did not come in time → <c>upstream_timeout</c>; the connection
/// broke or could not be trusted (reset, EOF, TLS, x509, malformed answers) → <c>network_error</c>. A timeout while
/// dialling is a failure to reach.
/// </summary>
public static class NetworkLayer
{
    public static Evidence? Read(string text) => EvidenceRule.First(Rules, text, "network");

    private const string TlsHint = "The identity of {remote} could not be verified or the secure channel failed (TLS certificate or SSH host key): check the CA certificates, known_hosts and the endpoint.";

    public static IReadOnlyList<EvidenceRule> Rules { get; } =
    [
        // dial tcp 10.0.0.1:443: i/o timeout; dial tcp …: connect: connection timed out — could not reach
        EvidenceRule.Of(ErrorCodes.EndpointUnreachable, @"\bdial (?:tcp|udp)[46]?(?: \S+)?: (?:[^\n]*?: )?(?:i/o timeout|connect(?:ion)? timed out|operation timed out)", "connect timeout (dial)"),
        EvidenceRule.Of(ErrorCodes.EndpointUnreachable, @"connection refused|\bECONNREFUSED\b|actively refused", "connection refused"),
        EvidenceRule.Of(ErrorCodes.EndpointUnreachable, @"\bno such host\b|Name or service not known|nodename nor servname|Temporary failure in name resolution|server misbehaving|\bNXDOMAIN\b|\bENOTFOUND\b|\bEAI_AGAIN\b|getaddrinfo", "DNS lookup failed"),
        // rclone's own server could not bind the address it was given: the address is wrong, nothing was unreachable
        EvidenceRule.Of(ErrorCodes.ValidationError, @"listen (?:tcp|udp)[46]? [^\n]*(?:cannot assign requested address|\bEADDRNOTAVAIL\b)", "listen address not on this host"),
        EvidenceRule.Of(ErrorCodes.EndpointUnreachable, @"network is unreachable|no route to host|host is down|host unreachable|\bENETUNREACH\b|\bEHOSTUNREACH\b|\bEADDRNOTAVAIL\b|can't assign requested address", "no route to host"),
        EvidenceRule.Of(ErrorCodes.EndpointUnreachable, @"proxyconnect tcp|\bproxy(?:connect)? [^\n]*(?:refused|unreachable)", "proxy unreachable"),
        // Reached, but the answer did not come in time
        EvidenceRule.Of(ErrorCodes.UpstreamTimeout, @"TLS handshake timeout|timeout awaiting response headers|Client\.Timeout exceeded|\bi/o timeout\b|deadline exceeded|\bread: connection timed out\b|response header timeout|\bETIMEDOUT\b|\bESOCKETTIMEDOUT\b|\btimed out\b|(?<![-/:\w])timeout(?![/:\w-])(?! ?=? ?\d)", "read/response timeout"),
        // The connection broke
        EvidenceRule.Of(ErrorCodes.NetworkError, @"connection reset|reset by peer|\bECONNRESET\b|forcibly closed|connection aborted|\bECONNABORTED\b", "connection reset"),
        EvidenceRule.Of(ErrorCodes.NetworkError, @"broken pipe|\bEPIPE\b|use of closed network connection|server closed idle connection|transport connection broken|readLoopPeekFailLocked|\bconnection lost\b|failed to send packet|short write|http2: |stream error:", "connection broke"),
        EvidenceRule.Of(ErrorCodes.NetworkError, @"\bunexpected EOF\b|(?:^|[\s:""])EOF\b|\bEOF$", "EOF (connection closed)"),
        EvidenceRule.Of(ErrorCodes.NetworkError, @"malformed HTTP (?:response|status code|version)|net/http: HTTP/1\.x transport connection broken|invalid (?:HTTP )?(?:header|status line)|bad response|unexpected (?:end of(?! JSON input)|response)", "malformed answer"),
        // TLS and SSH trust
        EvidenceRule.Of(ErrorCodes.NetworkError, @"\bx509: |\btls: |bad record MAC|first record does not look like a TLS handshake|server gave HTTP response to HTTPS client|\bremote error: |certificate (?:has expired|is not valid|signed by unknown)|\bSSL\b", "TLS/x509", TlsHint),
        EvidenceRule.Of(ErrorCodes.NetworkError, @"\bknownhosts: |host key (?:mismatch|verification)|ssh: handshake failed(?![^\n]*unable to authenticate)|ssh: [^\n]*(?:overflow|unexpected|invalid packet|no common algorithm)", "SSH handshake", TlsHint),
        // dial tcp 1.2.3.4:443: connectex: Access to a socket was not permitted …; dial tcp …: connect: … — the connect failed
        // (last: a reset or a TLS failure while dialling is read by its own rule above)
        EvidenceRule.Of(ErrorCodes.EndpointUnreachable, @"\bdial (?:tcp|udp)[46]?(?: \S+)?: (?:connectex|connect|socket): ", "connect failed (dial)"),
        // Rust's reqwest (Rclone UI and other launchers): the request to rcd could not be sent (last: a timeout or reset it names is read above)
        EvidenceRule.Of(ErrorCodes.EndpointUnreachable, @"error sending request for url", "request not sent (could not connect)"),
    ];
}
