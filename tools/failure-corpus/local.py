# Reproduces, on this machine only, the errors that do not need a server: launchers that cannot find or start rclone
# (shells, env, Python, Node), local file-system errors of rclone 1.60.1, and rclone rcd's RC texts — including RC
# methods, backends and flags that newer rclone releases added (tools/failure-corpus/rclone_versions.py).
# rcd listens on 127.0.0.1 only. Writes the same JSON lines as repro.py. usage: python3 local.py /tmp/fc > local.jsonl
import json, os, shutil, subprocess, sys, time, urllib.request, urllib.error
WORK = sys.argv[1] if len(sys.argv) > 1 else '/tmp/fc'
H = '127.0.0.1'; RC = 39960
ENV = dict(os.environ, RCLONE_CONFIG=os.path.join(WORK, 'rclone.conf'), HOME=WORK)
NOPATH = dict(ENV, PATH='/nonexistent-bin')
out, seen = [], set()
def emit(msg, expected, backend, source):
    for line in [l for l in msg.strip().splitlines() if l.strip()][:1] if backend == 'launcher' else [msg.strip()]:
        if line and line not in seen:
            seen.add(line); print(json.dumps(dict(message=line, expected=expected, backend=backend, fault='local', command='', source=source)), flush=True)
def sh(argv, env=ENV, **kw):
    p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=30, **kw); return p.stderr
bin_dir = os.path.join(WORK, 'bin'); os.makedirs(bin_dir, exist_ok=True)
noexec = os.path.join(bin_dir, 'rclone'); open(noexec, 'w').write('#!/bin/sh\n'); os.chmod(noexec, 0o644)
badfmt = os.path.join(WORK, 'badfmt'); os.makedirs(badfmt, exist_ok=True)
open(os.path.join(badfmt, 'rclone'), 'wb').write(b'\x7fELF\x00garbage'); os.chmod(os.path.join(badfmt, 'rclone'), 0o755)
L = 'transfer_engine_missing'
# Launchers
for argv, env, what in [
    (['sh', '-c', 'rclone version'], NOPATH | {'PATH': '/nonexistent-bin'}, 'sh (dash) with rclone not on PATH'),
    (['/usr/bin/bash', '-c', 'rclone version'], NOPATH, 'bash with rclone not on PATH'),
    (['/usr/bin/bash', '-c', 'exec rclone rcd'], NOPATH, 'bash exec with rclone not on PATH'),
    (['sh', '-c', 'exec rclone rcd'], NOPATH, 'sh exec with rclone not on PATH'),
    (['sh', '-c', '/opt/rclone/rclone rcd'], ENV, 'sh with an absolute RCLONE_PATH that does not exist'),
    (['/usr/bin/bash', '-c', '/opt/rclone/rclone rcd'], ENV, 'bash with an absolute RCLONE_PATH that does not exist'),
    (['sh', '-c', noexec + ' rcd'], ENV, 'sh with an rclone file that is not executable'),
    (['/usr/bin/bash', '-c', noexec + ' rcd'], ENV, 'bash with an rclone file that is not executable'),
    (['/usr/bin/env', 'rclone', 'rcd'], NOPATH | {'PATH': '/nonexistent-bin'}, 'env with rclone not on PATH'),
    (['/usr/bin/env', '/opt/rclone/rclone', 'rcd'], ENV, 'env with a missing absolute path'),
    (['python3', '-c', 'import subprocess; subprocess.run(["rclone", "rcd"])'], NOPATH | {'PATH': '/nonexistent-bin:' + os.path.dirname(sys.executable)}, 'Python subprocess, rclone not on PATH'),
    (['python3', '-c', 'import subprocess; subprocess.run(["/opt/rclone/rclone", "rcd"])'], ENV, 'Python subprocess, missing absolute path'),
    (['python3', '-c', f'import subprocess; subprocess.run(["{noexec}", "rcd"])'], ENV, 'Python subprocess, rclone not executable'),
    (['python3', '-c', f'import subprocess; subprocess.run(["{badfmt}/rclone", "rcd"])'], ENV, 'Python subprocess, rclone of the wrong format'),
    (['node', '-e', 'require("child_process").spawn("rclone",["rcd"]).on("error",e=>{console.error(String(e));process.exit(1)})'], NOPATH | {'PATH': '/nonexistent-bin'}, 'Node child_process.spawn, rclone not on PATH'),
    (['node', '-e', 'require("child_process").spawn("/opt/rclone/rclone",["rcd"]).on("error",e=>{console.error(String(e));process.exit(1)})'], ENV, 'Node spawn, missing absolute path'),
    (['node', '-e', f'require("child_process").spawn("{noexec}",["rcd"]).on("error",e=>{{console.error(String(e));process.exit(1)}})'], ENV, 'Node spawn, rclone not executable'),
    (['node', '-e', 'try{require("child_process").execFileSync("rclone",["rcd"])}catch(e){console.error(e.message)}'], NOPATH | {'PATH': '/nonexistent-bin'}, 'Node execFileSync, rclone not on PATH'),
]:
    # node and python are started by absolute path, so PATH can stay without rclone (node lives next to rclone in /usr/bin)
    argv = [shutil.which('node') or 'node', *argv[1:]] if argv[0] == 'node' else [sys.executable, *argv[1:]] if argv[0] == 'python3' else argv
    try:
        err = sh(argv, env=env)
    except Exception as e:
        err = str(e)
    lines = [l for l in err.splitlines() if l.strip()]
    if argv[0] == sys.executable: lines = lines[-1:]
    for l in lines[:2]:
        if 'rclone' in l: emit(l, L, 'launcher', f'reproduced: {what} (`{" ".join(argv)[:120]}`) on this machine')
# Local file system errors of rclone 1.60.1
os.makedirs(os.path.join(WORK, 'loc/full/d'), exist_ok=True); open(os.path.join(WORK, 'loc/full/d/x'), 'w').write('x')
open(os.path.join(WORK, 'loc/file.txt'), 'w').write('x'); os.makedirs(os.path.join(WORK, 'loc/adir'), exist_ok=True)
priv = os.path.join(WORK, 'priv'); os.makedirs(priv, exist_ok=True); os.chmod(priv, 0o700); open(os.path.join(priv, 'secret.txt'), 'w').write('x')
src = os.path.join(WORK, 'src.txt'); long = 'n' * 300
LOCAL = [
    (['rclone', 'copyto', src, '/sys/rcmd-test.txt'], 'access_denied', 'write into /sys (read-only or denied)'),
    (['rclone', 'mkdir', '/proc/rcmd-test'], 'not_found', 'mkdir in /proc (ENOENT)'),
    (['rclone', 'copyto', src, '/dev/full'], 'unknown', 'write to /dev/full (ENOSPC)'),
    (['rclone', 'cat', '/dev/full', '--max-size', '1'], None, ''),
    (['rclone', 'mkdir', os.path.join(WORK, 'loc/file.txt/sub')], 'conflict', 'mkdir under a file'),
    (['rclone', 'copyto', src, os.path.join(WORK, 'loc/file.txt/sub/f.txt')], 'conflict', 'copy under a file'),
    (['rclone', 'rmdir', os.path.join(WORK, 'loc/full')], 'conflict', 'rmdir of a non-empty directory'),
    (['rclone', 'lsjson', os.path.join(WORK, 'loc/missing')], 'not_found', 'list a missing directory'),
    (['rclone', 'cat', os.path.join(WORK, 'loc/missing.txt')], 'not_found', 'cat a missing file'),
    (['rclone', 'deletefile', os.path.join(WORK, 'loc/missing.txt')], 'not_found', 'delete a missing file'),
    (['rclone', 'copyto', os.path.join(WORK, 'loc/missing.txt'), os.path.join(WORK, 'loc/out.txt')], 'not_found', 'copy a missing file'),
    (['rclone', 'copyto', src, os.path.join(WORK, 'loc', long)], 'validation_error', 'file name too long'),
    (['rclone', 'mkdir', os.path.join(WORK, 'loc', long)], 'validation_error', 'directory name too long'),
    (['runuser', '-u', 'nobody', '--', 'rclone', 'lsjson', priv], 'access_denied', 'list a 0700 directory as nobody'),
    (['runuser', '-u', 'nobody', '--', 'rclone', 'cat', os.path.join(priv, 'secret.txt')], 'access_denied', 'read a file in a 0700 directory as nobody'),
    (['runuser', '-u', 'nobody', '--', 'rclone', 'copyto', src, os.path.join(priv, 'new.txt')], 'access_denied', 'write into a 0700 directory as nobody'),
    (['runuser', '-u', 'nobody', '--', 'rclone', 'mkdir', '/root/rcmd-test'], 'access_denied', 'mkdir in /root as nobody'),
    (['rclone', 'copyto', src, src], 'validation_error', 'copy a file onto itself'),
    (['rclone', 'sync', os.path.join(WORK, 'loc'), os.path.join(WORK, 'loc/adir')], 'validation_error', 'sync into a subdirectory of the source'),
    (['rclone', 'lsjson', 'nosuchremote:'], 'validation_error', 'a remote that is not configured'),
    (['rclone', 'copy'], 'validation_error', 'copy without arguments'),
    (['rclone', 'lsjson', WORK, '--max-depth', 'deep'], 'validation_error', 'a flag with a malformed value'),
    (['rclone', 'lsjson', WORK, '--timeout', '5parsecs'], 'validation_error', 'a duration flag with a bad unit'),
    (['rclone', 'lsjson', WORK, '--bwlimit', 'fast'], 'validation_error', 'a bandwidth flag with a bad value'),
    (['rclone', 'lsjson', ':sftp,host=127.0.0.1,port=39949,user=u,pass=plaintext:'], 'invalid_credentials', 'a password given in clear text'),
]
# Flags of newer releases and flags no release has (cobra: unknown flag)
NEWFLAGS = {'max-buffer-memory': '1.69', 'max-connections': '1.69', 'hash-filter': '1.70', 'name-transform': '1.70', 'metadata-mapper': '1.64',
            'inplace': '1.63', 'partial-suffix': '1.63', 'server-side-across-configs': '1.57', 'fix-case': '1.64', 'list-cutoff': '1.70',
            'max-stats-groups': '1.58', 'dump-filters': '1.45', 'transfers-per-remote': None, 'tpslimit-per-remote': None, 'retries-wait': None,
            'no-traverse-dir': None, 'copy-links-all': None}
for f in NEWFLAGS:
    LOCAL.append((['rclone', 'lsjson', WORK, f'--{f}', '1'], 'transfer_engine_incompatible' if NEWFLAGS[f] and NEWFLAGS[f] > '1.60' else 'validation_error', f'flag --{f}'))
for argv, expected, what in LOCAL:
    if expected is None: continue
    err = sh(argv)
    for e in [l for l in err.splitlines() if l.strip() and 'Usage:' not in l][:2]:
        e = e.split(' ', 2)[2] if e[:4].isdigit() and e[4] == '/' else e
        if e.startswith(('NOTICE', 'INFO')): continue
        if expected == 'validation_error' and f'--{argv[-2].lstrip("-")}' in e and 'unknown flag' in e and argv[-2].lstrip('-') in NEWFLAGS:
            pass
        emit(e, expected, 'local', f'reproduced: rclone 1.60.1 `{" ".join(argv)[:160]}` ({what}) on this machine')
# rcd on the loopback
rcd = subprocess.Popen(['rclone', 'rcd', '--rc-addr', f'{H}:{RC}', '--rc-no-auth'], env=ENV, stderr=subprocess.DEVNULL)
time.sleep(2)
def rc(method, params):
    req = urllib.request.Request(f'http://{H}:{RC}/{method}', data=json.dumps(params).encode(), headers={'Content-Type': 'application/json'}, method='POST')
    try:
        with urllib.request.urlopen(req, timeout=30) as r: return r.status, json.load(r)
    except urllib.error.HTTPError as e: return e.code, json.load(e)
RCCASES = [('job/status', {'jobid': 4242}, 'server_restarted', 'job/status of a job rcd does not know (rcd restarted)'),
           ('job/stop', {'jobid': 4242}, 'server_restarted', 'job/stop of a job rcd does not know'),
           ('job/status', {'jobid': 'x'}, 'validation_error', 'job/status with a non-numeric id'),
           ('job/status', {}, 'validation_error', 'job/status without jobid'),
           ('operations/copyfile', {'srcFs': WORK}, 'validation_error', 'operations/copyfile without dstFs'),
           ('sync/copy', {'srcFs': WORK, 'dstFs': WORK + '/x', '_config': {'Transfers': 'many'}}, 'validation_error', '_config with a bad value'),
           ('sync/copy', {'srcFs': WORK, 'dstFs': WORK + '/x', '_filter': {'MaxSize': 'huge'}}, 'validation_error', '_filter with a bad value'),
           ('operations/list', {'fs': ':nosuchbackend:', 'remote': ''}, 'validation_error', 'an inline remote of an unknown backend'),
           ('operations/list', {'fs': 'nosuchremote:', 'remote': ''}, 'validation_error', 'a remote not in the config'),
           ('config/create', {'name': 'x', 'type': 'nosuchtype', 'parameters': {}}, 'validation_error', 'config/create of an unknown type')]
NEWMETHODS = ['core/du', 'operations/check', 'operations/hashsum', 'config/paths', 'vfs/queue', 'options/info', 'serve/start', 'serve/list',
              'config/unlock', 'job/batch', 'operations/hashsumfile', 'core/disks', 'config/setpath', 'operations/settier']
for m in NEWMETHODS: RCCASES.append((m, {}, 'transfer_engine_incompatible', f'RC method {m} of a newer rclone'))
for m in ['sync/bisinc', 'operations/copyflie', 'core/versions', 'job/statuses', 'vfs/flush']:
    RCCASES.append((m, {}, 'validation_error', f'RC method {m} that no rclone has'))
NEWBACKENDS = ['pikpak', 'protondrive', 'quatrix', 'azurefiles', 'imagekit', 'linkbox', 'ulozto', 'filescom', 'gofile', 'pixeldrain',
               'cloudinary', 'iclouddrive', 'doi', 'filelu', 'archive']
for b in NEWBACKENDS: RCCASES.append(('operations/list', {'fs': f':{b}:', 'remote': ''}, 'transfer_engine_incompatible', f'backend {b} of a newer rclone'))
for b in ['s4', 'dropboks', 'googledrive', 'azure', 'minio']:
    RCCASES.append(('operations/list', {'fs': f':{b}:', 'remote': ''}, 'validation_error', f'backend {b} that no rclone has'))
try:
    for method, params, expected, what in RCCASES:
        st, js = rc(method, params)
        if js.get('error'): emit(js['error'], expected, 'rcd', f'reproduced: rclone 1.60.1 rcd {method} ({what}) on 127.0.0.1, HTTP {st}')
finally:
    rcd.terminate(); rcd.wait()
