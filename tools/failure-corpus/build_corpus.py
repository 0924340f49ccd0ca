# Turns repro.py's raw lines into corpus records (tests/Rcmd.Core.Tests/Failures/Corpus/reproduced.json).
# The label is the injected fault's, except where the text rclone printed no longer carries the fault: then the label
# is what the text itself shows (a HEAD request has no error body, so S3 prints "Forbidden: Forbidden / status code:
# 403" for a signature fault; rclone turns some 403/404s into "… is a directory or doesn't exist"). Those relabelling
# rules are fixed here, independent of the classifier. Local paths and ports are kept (loopback only, no secrets).
import json, re, sys
from faults import S3, AZURE, B2
STATUS = {400: 'validation_error', 401: 'invalid_credentials', 403: 'access_denied', 404: 'not_found', 405: 'validation_error',
          408: 'upstream_timeout', 409: 'conflict', 412: 'conflict', 423: 'conflict', 429: 'rate_limited', 500: 'unknown',
          501: 'unknown', 502: 'network_error', 503: 'rate_limited', 504: 'upstream_timeout', 507: 'unknown'}
MARK = {'s3': S3, 'azureblob': AZURE, 'b2': B2}
NOTFOUND = re.compile(r"doesn't exist|directory not found|object not found|not found$", re.I)
TIMEOUT = re.compile(r'timeout awaiting response headers|i/o timeout|deadline exceeded|Client\.Timeout|TLS handshake timeout')
HELDOUT = {'azureblob', 'b2', 'swift', 'onedrive', 'drive', 'dropbox', 'box', 'pcloud', 'yandex'}
NOISE = re.compile(r'^(?:Automatically upgraded OAuth config\.|Flags:|rclone \w+ .*\[flags\]|Usage:)$|timed out after \d+ seconds$|^Command failed: rclone')
def label(r):
    m, f, b = r['message'], r['fault'], r['backend']
    if NOISE.search(m):  # not an error line, or the harness itself (a launcher that found rclone after all)
        return None, None
    if f.startswith('serve-') and 'connection refused' in m:  # that rclone serve did not start: the fault was not played
        return None, None
    if f == 'serve-readonly' and 'directory not empty' in m:
        return 'conflict', 'label from the text (rmdir of a non-empty directory on the read-only server)'
    if b == 'azureblob' and f == 'skew' and 'date header too old' not in m:
        return 'signature_mismatch', 'label from the text (a HEAD answer carries no AuthenticationErrorDetail)'
    if f == 'internal' and b in ('s3', 'azureblob') and re.search(r'InternalError|\b500\b', m) and not re.search(r'try again|retry', m, re.I):
        return 'unknown', 'label from the text (500 without the provider\'s "try again": a HEAD answer has no body)'
    if f == 'local' and m.startswith('ERROR : Fatal error received'):
        return 'unknown', 'label from the text (a consequence line)'
    table = MARK.get(b)
    if table and f in table and table[f][1] and table[f][1] not in m:
        s = re.search(r'status code: (\d{3})|StatusCode: (\d{3})|RESPONSE Status: (\d{3})|\((\d{3}) ', m)
        if s: return STATUS.get(int(next(g for g in s.groups() if g)), 'unknown'), 'label from the status the text shows (the fault\'s provider code is not in it)'
        if NOTFOUND.search(m): return 'not_found', 'label from the text (rclone reported the object as missing)'
        return None, None
    if f != 'local' and r['expected'] in ('network_error',) and TIMEOUT.search(m):
        return 'upstream_timeout', 'label from the text (the fake meant to break the connection, rclone saw no answer in time)'
    if f == 'local':  # launchers, local file systems, rcd: the label was chosen per command (local.py), not per fault
        return r['expected'], None
    if not f.startswith('tcp-') and NOTFOUND.search(m) and r['expected'] != 'not_found' and 'status' not in m.lower():
        return 'not_found', 'label from the text (rclone reported the object as missing)'
    return r['expected'], None
# The split: rows whose message was already in the train part when the rules were frozen (argv[2], the corpus file at
# that commit) stay train; every other row is held out (see README.md, "An honest score").
FROZEN = {r['message'] for r in json.load(open(sys.argv[2])) if r['split'] == 'train'} if len(sys.argv) > 2 else None
out, dropped = [], 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    code, why = label(r)
    if code is None: dropped += 1; continue
    rec = dict(message=r['message'], expected=code, source=r['source'], backend=r['backend'], origin='reproduced',
               split=('train' if r['message'] in FROZEN else 'heldout') if FROZEN is not None else 'heldout' if r['backend'] in HELDOUT else 'train')
    if why: rec['labelNote'] = why
    out.append(rec)
json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
print(f'{len(out)} records, {dropped} dropped (text shows neither the fault nor a status)', file=sys.stderr)
