# Loopback fakes that answer like S3, Azure Blob, B2, Swift, WebDAV (Sabre), a plain HTTP site, an OAuth token endpoint
# and an FTP server, each failing in the way the request names (bucket, container, account, user or first path
# segment = fault key), plus misbehaving TCP servers (reset, EOF, hang, garbage, self-signed TLS).
# Binds 127.0.0.1 only. usage: python3 fakes.py  (runs until killed). Fault tables: faults.py.
import http.server, json, socket, socketserver, ssl, subprocess, sys, threading, time, os, base64
from faults import S3, AZURE, B2, SWIFT, DAV, PLAIN, OAUTH, FTP, PORTS
H = '127.0.0.1'

def serve(port, handler):
    srv = http.server.ThreadingHTTPServer((H, port), handler); srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start(); return srv

class Base(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def log_message(self, *a): pass
    def body(self):
        n = int(self.headers.get('Content-Length') or 0)
        if n: self.rfile.read(n)
        elif self.headers.get('Transfer-Encoding') == 'chunked':
            while True:
                l = int(self.rfile.readline().strip() or b'0', 16); self.rfile.read(l + 2)
                if l == 0: break
    def answer(self, status, body=b'', ctype='application/xml', headers=()):
        if status == 'hang': time.sleep(30); return
        if status == 'reset':
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
            self.connection.shutdown(socket.SHUT_RDWR); self.close_connection = True; return
        if status == 'eof': self.connection.shutdown(socket.SHUT_RDWR); self.close_connection = True; return
        if isinstance(body, str): body = body.encode()
        self.send_response(status); self.send_header('Content-Type', ctype)
        for k, v in headers: self.send_header(k, v)
        self.send_header('Content-Length', str(len(body))); self.end_headers()
        if self.command != 'HEAD': self.wfile.write(body)
    def do_any(self): self.body(); self.route()
    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PROPFIND = do_MKCOL = do_MOVE = do_COPY = do_any

def seg(path, i=0):
    parts = [p for p in path.split('?')[0].split('/') if p]
    return parts[i] if len(parts) > i else ''

class S3H(Base):
    def route(self):
        st, code, msg, hdr = S3.get(seg(self.path), (404, 'NoSuchBucket', 'The specified bucket does not exist', ()))
        if not isinstance(st, int): return self.answer(st)
        self.answer(st, f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{msg}</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>fake</HostId></Error>', headers=hdr)

class AzureH(Base):
    def route(self):
        key = seg(self.path, 1) if seg(self.path) == 'devstoreaccount1' else seg(self.path)
        st, code, msg, hdr = AZURE.get(key, (404, 'ContainerNotFound', 'The specified container does not exist.', ()))
        if not isinstance(st, int): return self.answer(st)
        extra = '<AuthenticationErrorDetail>Request date header too old: \'Fri, 01 Jan 2021 00:00:00 GMT\'</AuthenticationErrorDetail>' if key == 'skew' else ''
        self.answer(st, f'\ufeff<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{msg}\nRequestId:9a1b2c3d-0000-0000-0000-000000000000\nTime:2022-11-17T10:00:00.0000000Z</Message>{extra}</Error>',
                    headers=(('x-ms-error-code', code), ('x-ms-request-id', '9a1b2c3d'), *hdr))

class B2H(Base):
    def route(self):
        if 'b2_authorize_account' in self.path:
            acct = base64.b64decode(self.headers.get('Authorization', 'Basic Og==').split()[1]).decode().split(':')[0]
            if acct.startswith('auth_'): return self.b2err(acct)
            url = f'http://{H}:{PORTS["b2"]}/f/{acct}'
            return self.answer(200, json.dumps({'accountId': acct, 'authorizationToken': 'tok', 'apiUrl': url, 'downloadUrl': url,
                'recommendedPartSize': 100000000, 'absoluteMinimumPartSize': 5000000, 'allowed': {'capabilities': ['listBuckets', 'listFiles', 'readFiles', 'writeFiles', 'deleteFiles'], 'bucketId': None, 'bucketName': None, 'namePrefix': None}}), 'application/json')
        self.b2err(seg(self.path, 1))
    def b2err(self, key):
        st, code, msg, hdr = B2.get(key, (400, 'bad_request', 'unknown fault', ()))
        if not isinstance(st, int): return self.answer(st)
        self.answer(st, json.dumps({'status': st, 'code': code, 'message': msg}), 'application/json', hdr)

class SwiftH(Base):
    def route(self):
        if self.path.startswith('/auth'):
            user = self.headers.get('X-Auth-User', '')
            if user.startswith('auth_'):
                st, text, hdr = SWIFT[user]
                return self.answer(st, text, 'text/plain', hdr)
            return self.answer(200, '', 'text/plain', (('X-Storage-Url', f'http://{H}:{PORTS["swift"]}/v1/{user}'), ('X-Auth-Token', 'tk')))
        st, text, hdr = SWIFT.get(seg(self.path, 1), (404, 'Not Found', ()))
        if not isinstance(st, int): return self.answer(st)
        self.answer(st, text, 'text/html', hdr)

class DavH(Base):
    def route(self):
        st, exc, msg, hdr = DAV.get(seg(self.path), (404, 'NotFound', 'File not found', ()))
        if not isinstance(st, int): return self.answer(st)
        if exc is None: return self.answer(st, msg, 'text/html', hdr)
        self.answer(st, f'<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">\n  <s:exception>Sabre\\DAV\\Exception\\{exc}</s:exception>\n  <s:message>{msg}</s:message>\n</d:error>', 'application/xml; charset=utf-8', hdr)

class PlainH(Base):
    def route(self):
        st, text, hdr = PLAIN.get(seg(self.path), (404, '404 page not found', ()))
        if not isinstance(st, int): return self.answer(st)
        self.answer(st, text, 'text/plain', hdr)

class OAuthH(Base):
    def route(self):
        st, body, hdr = OAUTH.get(seg(self.path), (400, {'error': 'invalid_request'}, ()))
        if not isinstance(st, int): return self.answer(st)
        self.answer(st, json.dumps(body) if isinstance(body, dict) else body, 'application/json' if isinstance(body, dict) else 'text/html', hdr)

class FtpH(socketserver.StreamRequestHandler):
    def handle(self):
        w = lambda s: self.wfile.write((s + '\r\n').encode())
        user = ''
        try:
            w('220 fake FTP ready')
            while True:
                line = self.rfile.readline().decode(errors='replace').strip()
                if not line: return
                cmd, _, arg = line.partition(' '); cmd = cmd.upper()
                f = FTP.get(user, {})
                if cmd == 'USER':
                    user = arg; f = FTP.get(user, {})
                    if 'greet' in f: w(f['greet']); return
                    w('331 Password required')
                elif cmd == 'PASS': w(f.get('pass', '230 Logged in'))
                elif cmd == 'FEAT': w('211-Features:'); w(' EPSV'); w(' UTF8'); w('211 End')
                elif cmd in ('TYPE', 'OPTS', 'NOOP'): w('200 OK')
                elif cmd == 'PWD': w('257 "/" is current directory')
                elif cmd == 'SYST': w('215 UNIX Type: L8')
                elif cmd == 'QUIT': w('221 Bye'); return
                else:
                    r = f.get('cmd', '502 Command not implemented')
                    if r == 'close': return
                    w(r)
        except (ConnectionError, OSError): pass

def raw(port, mode):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((H, port)); s.listen(64)
    ctx = None
    if mode == 'tls':
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(CERT, KEY)
    def one(c):
        try:
            if mode == 'reset': c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00'); c.close()
            elif mode == 'eof': c.recv(65536); c.close()
            elif mode == 'hang': time.sleep(30); c.close()
            elif mode == 'garbage': c.recv(65536); c.sendall(b'\x16\x03garbage\x00\xff not a protocol at all\r\n\r\n'); time.sleep(0.2); c.close()
            elif mode == 'tls':
                t = ctx.wrap_socket(c, server_side=True); t.recv(65536)
                t.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'); t.close()
            elif mode == 'ssh-garbage': c.sendall(b'HTTP/1.1 400 Bad Request\r\n\r\n'); time.sleep(0.2); c.close()
        except Exception: pass
    def loop():
        while True:
            c, _ = s.accept(); threading.Thread(target=one, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()

WORK = sys.argv[1] if len(sys.argv) > 1 else '/tmp/fc'
CERT, KEY = os.path.join(WORK, 'cert.pem'), os.path.join(WORK, 'key.pem')
if __name__ == '__main__':
    os.makedirs(WORK, exist_ok=True)
    if not os.path.exists(CERT):
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', KEY, '-out', CERT, '-days', '2', '-subj', '/CN=fake.local'], check=True, capture_output=True)
    serve(PORTS['s3'], S3H); serve(PORTS['azure'], AzureH); serve(PORTS['b2'], B2H); serve(PORTS['swift'], SwiftH)
    serve(PORTS['dav'], DavH); serve(PORTS['http'], PlainH); serve(PORTS['oauth'], OAuthH)
    ftp = socketserver.ThreadingTCPServer((H, PORTS['ftp']), FtpH); ftp.daemon_threads = True
    threading.Thread(target=ftp.serve_forever, daemon=True).start()
    for mode in ('reset', 'eof', 'hang', 'garbage', 'tls', 'ssh-garbage'): raw(PORTS[mode], mode)
    print('ready', flush=True)
    while True: time.sleep(3600)
