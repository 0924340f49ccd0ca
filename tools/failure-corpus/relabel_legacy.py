# Relabels the legacy corpus (issue 3's corpus.json, now tests/Rcmd.Core.Tests/Failures/Corpus/legacy.json) by issue
# 16's labelling rules, where they differ from the labels it was written with. Each change keeps a labelNote.
# Runs idempotently: python3 relabel_legacy.py ../../tests/Rcmd.Core.Tests/Failures/Corpus/legacy.json
import json, re, sys
RULES = [  # (pattern on the message, old label or None, new label, note)
 (r'status code: 503|\b503 Service Unavailable|ServiceUnavailable|Service Unavailable|\bError 503\b', 'endpoint_unreachable', 'rate_limited', 'issue 16: 503 / unavailable for now = rate_limited'),
 (r'421 Service not available|http-status-503', 'endpoint_unreachable', 'rate_limited', 'issue 16: 503 / unavailable for now = rate_limited'),
 (r'\b502\b|Bad ?Gateway', 'endpoint_unreachable', 'network_error', 'issue 16: 502 = network_error'),
 (r'[Qq]uota|insufficient_space|storage_limit_exceeded|storage_cap_exceeded|Insufficient ?Storage|\b507\b|\b[45]52 |no space left|disk quota|not enough (?:free )?space|exceeded storage allocation', 'access_denied', 'unknown', 'issue 16: full storage has no code of its own = unknown (the suggestion names the quota)'),
 (r'[Pp]lease try again|try again later|please retry', 'unknown', 'rate_limited', 'issue 16: "please try again" = rate_limited'),
 (r'is a file not a directory|is a directory not a file|not a directory|is a directory\b', 'validation_error', 'conflict', 'issue 16: file where a directory is expected and vice versa = conflict'),
 (r'couldn\'t find method "no/such/method"', 'transfer_engine_incompatible', 'validation_error', 'issue 16: a name no rclone release knows = validation_error'),
 (r'unknown flag: --nosuchflag', 'transfer_engine_incompatible', 'validation_error', 'issue 16: a name no rclone release knows = validation_error'),
 (r'server gave HTTP response to HTTPS client|first record does not look like a TLS handshake', 'validation_error', 'network_error', 'issue 16: TLS failures = network_error'),
 (r'dial tcp [^ ]+: (?:connect: connection timed out|i/o timeout)', 'upstream_timeout', 'endpoint_unreachable', 'issue 16: a connect (dial) timeout = could not reach = endpoint_unreachable'),
 (r'CA bundle|CABundle', None, 'unknown', 'issue 16: a CA-bundle error is an environment fault = unknown'),
 (r'\bjob not found\b', 'not_found', 'server_restarted', 'issue 16: rcd restarted and forgot the job = server_restarted'),
 (r'read-only file system|read only file system', None, 'access_denied', 'issue 16: read-only file systems = access_denied'),
 (r'ObjectHandle is Invalid|invalid (?:object |file )?handle', 'validation_error', 'conflict', 'issue 16: an invalid handle = conflict (so labelled in sets 12d and 12i)'),
]
path = sys.argv[1]
rows = json.load(open(path))
changed = 0
for r in rows:
    for pat, old, new, note in RULES:
        if re.search(pat, r['message']) and (old is None or r['expected'] == old) and r['expected'] != new:
            r['labelNote'] = f"relabelled {r['expected']} -> {new}: {note}"; r['expected'] = new; changed += 1
            if r.get('knownMiss'): r.pop('knownMiss'); r.pop('knownActual', None)
            break
json.dump(rows, open(path, 'w'), indent=1, ensure_ascii=False)
print(f'{changed} rows relabelled', file=sys.stderr)
