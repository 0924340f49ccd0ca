# Runs Debian's rclone (1.60.1) against the loopback fakes of fakes.py (and rclone's own loopback servers) and writes
# one JSON line per distinct error line rclone printed: {message, expected, backend, fault, command, source}.
# The expected code is the fault's label (faults.py), fixed before any classifier saw the message.
# usage: python3 fakes.py /tmp/fc & python3 repro.py /tmp/fc > raw.jsonl   (see README.md)
import concurrent.futures, json, os, re, subprocess, sys, time
from faults import *
WORK = sys.argv[1] if len(sys.argv) > 1 else '/tmp/fc'
ONLY = sys.argv[2] if len(sys.argv) > 2 else None  # a backend or fault to run alone, or -backend to skip one
H = '127.0.0.1'
P = PORTS
CONF = os.path.join(WORK, 'rclone.conf')
ENV = dict(os.environ, RCLONE_CONFIG=CONF, HTTP_PROXY=f'http://{H}:{P["closed"]}', HTTPS_PROXY=f'http://{H}:{P["closed"]}',
           NO_PROXY='', AWS_CA_BUNDLE='', HOME=WORK)
ENV.pop('AWS_CA_BUNDLE')
FLAGS = ['--low-level-retries', '1', '--retries', '1', '--contimeout', '2s', '--timeout', '3s', '--ask-password=false']
TOKEN = '{"access_token":"expired-token","token_type":"Bearer","refresh_token":"refresh-token","expiry":"2001-01-01T00:00:00Z"}'
OBSCURED = subprocess.run(['rclone', 'obscure', 'right'], capture_output=True, text=True).stdout.strip()
OBSCURED_WRONG = subprocess.run(['rclone', 'obscure', 'wrong'], capture_output=True, text=True).stdout.strip()
sections = {}
def sec(name, **kv): sections[name] = kv
ALLCMDS = ['lsjson', 'copyto', 'mkdir', 'deletefile', 'cat', 'rmdir', 'size']
READ = ['lsjson', 'cat', 'size']
jobs = []  # (backend, fault, expected, remote path, commands)
def job(backend, fault, expected, path, cmds=ALLCMDS): jobs.append((backend, fault, expected, path, cmds))

sec('s3', type='s3', provider='Other', endpoint=f'http://{H}:{P["s3"]}', access_key_id='AKIAIOSFODNN7EXAMPLE', secret_access_key='wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')
for f in S3: job('s3', f, S3_LABEL[f], f's3:{f}/dir')
for f in AZURE:  # a container SAS URL on the loopback (1.60's endpoint option only takes a domain suffix for https)
    sec(f'azureblob-{f}', type='azureblob', sas_url=f'http://{H}:{P["azure"]}/{f}?sv=2021-08-06&sp=racwdl&sig=REDACTED')
    job('azureblob', f, AZURE_LABEL[f], f'azureblob-{f}:dir', ['lsjson', 'copyto', 'mkdir', 'deletefile'])
for f in B2:
    sec(f'b2-{f}', type='b2', account=f, key='K000fakekey', endpoint=f'http://{H}:{P["b2"]}')
    job('b2', f, B2_LABEL[f], f'b2-{f}:bucket/dir')
for f in SWIFT:
    sec(f'swift-{f}', type='swift', user=f, key='fakekey', auth=f'http://{H}:{P["swift"]}/auth/v1.0')
    job('swift', f, SWIFT_LABEL[f], f'swift-{f}:{f}/dir')
sec('webdav', type='webdav', url=f'http://{H}:{P["dav"]}/', vendor='nextcloud', user='alice', **{'pass': OBSCURED})
for f in DAV: job('webdav', f, DAV_LABEL[f], f'webdav:{f}/dir')
sec('http', type='http', url=f'http://{H}:{P["http"]}/')
for f in PLAIN: job('http', f, PLAIN_LABEL[f], f'http:{f}/dir/', READ)
for f in FTP:
    sec(f'ftp-{f}', type='ftp', host=H, port=str(P['ftp']), user=f, **{'pass': OBSCURED})
    job('ftp', f, FTP_LABEL[f], f'ftp-{f}:dir')
OAUTHB = dict(onedrive=dict(drive_id='0123456789abcdef', drive_type='personal'), drive={}, dropbox={}, box={}, pcloud={}, yandex={})
for b, extra in OAUTHB.items():
    for f in OAUTH:
        sec(f'{b}-{f}', type=b, token=TOKEN, client_id='fake-client', client_secret='fake-secret', token_url=f'http://{H}:{P["oauth"]}/{f}/token', **extra)
        job(b, f, OAUTH_LABEL[f], f'{b}-{f}:dir', ['lsjson', 'mkdir', 'size'])
# Misbehaving TCP servers and a closed port behind each backend's endpoint.
for mode, label in RAW_LABEL.items():
    port = P[mode]; scheme = 'https' if mode in ('tls',) else 'http'
    sec(f's3-{mode}', type='s3', provider='Other', endpoint=f'{scheme}://{H}:{port}', access_key_id='AK', secret_access_key='SK')
    sec(f'webdav-{mode}', type='webdav', url=f'{scheme}://{H}:{port}/')
    sec(f'http-{mode}', type='http', url=f'{scheme}://{H}:{port}/')
    sec(f'azureblob-{mode}', type='azureblob', sas_url=f'{scheme}://{H}:{port}/container?sv=2021-08-06&sp=rl&sig=REDACTED')
    sec(f'b2-{mode}', type='b2', account='acc', key='K000', endpoint=f'{scheme}://{H}:{port}')
    sec(f'swift-{mode}', type='swift', user='u', key='k', auth=f'{scheme}://{H}:{port}/auth/v1.0')
    sec(f'onedrive-{mode}', type='onedrive', token=TOKEN, client_id='c', client_secret='s', token_url=f'{scheme}://{H}:{port}/token', drive_id='0123456789abcdef', drive_type='personal')
    sec(f'ftp-{mode}', type='ftp', host=H, port=str(port), user='u', **{'pass': OBSCURED})
    sec(f'sftp-{mode}', type='sftp', host=H, port=str(port if mode != 'garbage' else P['ssh-garbage']), user='u', **{'pass': OBSCURED})
    for b in ('s3', 'webdav', 'azureblob', 'b2', 'swift', 'ftp', 'sftp'):
        job(b, 'tcp-' + mode, label, f'{b}-{mode}:bucket/dir', ['lsjson', 'copyto', 'mkdir'])
    job('http', 'tcp-' + mode, label, f'http-{mode}:dir/', ['lsjson', 'cat'])
    job('onedrive', 'tcp-' + mode, label, f'onedrive-{mode}:dir', ['lsjson', 'size'])
# rclone's own loopback servers (started by this script): sftp, ftp and webdav, read-write and read-only.
SERVE = dict(sftp=39922, ftp=39923, webdav=39921)
SERVE_RO = dict(sftp=39925, ftp=39926, webdav=39924)
for kind, port in SERVE.items():
    sec(f'{kind}-ok', type=kind, **({'url': f'http://{H}:{port}/'} if kind == 'webdav' else {'host': H, 'port': str(port)}), user='alice', **{'pass': OBSCURED})
    sec(f'{kind}-wrongpass', type=kind, **({'url': f'http://{H}:{port}/'} if kind == 'webdav' else {'host': H, 'port': str(port)}), user='alice', **{'pass': OBSCURED_WRONG})
    sec(f'{kind}-ro', type=kind, **({'url': f'http://{H}:{SERVE_RO[kind]}/'} if kind == 'webdav' else {'host': H, 'port': str(SERVE_RO[kind])}), user='alice', **{'pass': OBSCURED})
    job(kind, 'serve-wrongpass', 'invalid_credentials', f'{kind}-wrongpass:dir', ['lsjson', 'copyto', 'mkdir'])
    job(kind, 'serve-missing', 'not_found', f'{kind}-ok:nodir/sub', ['lsjson', 'cat', 'deletefile', 'size'])
    job(kind, 'serve-readonly', 'access_denied', f'{kind}-ro:dir', ['copyto', 'mkdir', 'deletefile', 'rmdir'])
    job(kind, 'serve-notempty', 'conflict', f'{kind}-ok:full', ['rmdir'])
    job(kind, 'serve-fileasdir', 'conflict', f'{kind}-ok:file.txt/sub', ['mkdir', 'copyto'])

def write_conf():
    with open(CONF, 'w') as fh:
        for name, kv in sections.items():
            fh.write(f'[{name}]\n' + ''.join(f'{k} = {v}\n' for k, v in kv.items()) + '\n')

STAMP = re.compile(r'^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ')
def entries(stderr):
    out = []
    for line in stderr.splitlines():
        if STAMP.match(line): out.append(STAMP.sub('', line))
        elif out and line.strip(): out[-1] += '\n' + line
        elif line.strip(): out.append(line)
    keep = []
    for e in out:
        if e.startswith(('NOTICE', 'INFO', 'DEBUG')) and 'Attempt' not in e: continue
        if 'Usage:' in e: break
        keep.append(e)
    return keep

def run(backend, fault, expected, path, cmd):
    src = os.path.join(WORK, 'src.txt')
    argv = {'lsjson': ['lsjson', path], 'copyto': ['copyto', src, path.rstrip('/') + '/f.txt'], 'mkdir': ['mkdir', path + '/newdir'],
            'deletefile': ['deletefile', path.rstrip('/') + '/f.txt'], 'cat': ['cat', path.rstrip('/') + '/f.txt'],
            'rmdir': ['rmdir', path], 'size': ['size', path]}[cmd]
    try:
        # azure-storage-blob-go retries on its own (4 tries, growing delays): give it time to print its error
        p = subprocess.run(['rclone', *argv, *FLAGS], capture_output=True, text=True, env=ENV, timeout=70 if backend == 'azureblob' else 15)
        err = p.stderr
    except subprocess.TimeoutExpired as e:
        err = (e.stderr or b'').decode() if isinstance(e.stderr, bytes) else (e.stderr or '')
    return [dict(message=m, expected=expected, backend=backend, fault=fault, command=f'rclone {cmd}',
                 source=f'reproduced: rclone 1.60.1 `rclone {" ".join(argv)}` against tools/failure-corpus fake ({backend}, fault {fault}) on 127.0.0.1')
            for m in entries(err)]

def main():
    os.makedirs(WORK, exist_ok=True)
    for d in ('srv/dir', 'srv/full/x', 'ro/dir'): os.makedirs(os.path.join(WORK, d), exist_ok=True)
    open(os.path.join(WORK, 'src.txt'), 'w').write('hello\n'); open(os.path.join(WORK, 'srv/file.txt'), 'w').write('x')
    open(os.path.join(WORK, 'srv/full/x/y'), 'w').write('x'); open(os.path.join(WORK, 'ro/dir/f.txt'), 'w').write('x')
    write_conf()
    servers = []
    for kind, port in SERVE.items():
        servers.append(subprocess.Popen(['rclone', 'serve', kind, os.path.join(WORK, 'srv'), '--addr', f'{H}:{port}', '--user', 'alice', '--pass', 'right'], env=ENV, stderr=subprocess.DEVNULL))
        servers.append(subprocess.Popen(['rclone', 'serve', kind, os.path.join(WORK, 'ro'), '--read-only', '--addr', f'{H}:{SERVE_RO[kind]}', '--user', 'alice', '--pass', 'right'], env=ENV, stderr=subprocess.DEVNULL))
    time.sleep(2)
    try:
        work = [(b, f, e, p, c) for b, f, e, p, cmds in jobs for c in cmds if not ONLY or ONLY in (b, f)
                or (ONLY.startswith('-') and ONLY[1:] != b)]
        seen = set()
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            for recs in pool.map(lambda a: run(*a), work):
                for r in recs:
                    if r['message'] in seen: continue
                    seen.add(r['message']); print(json.dumps(r), flush=True)
    finally:
        for s in servers: s.terminate()
        for s in servers: s.wait()
main()
