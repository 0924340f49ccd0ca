#!/usr/bin/env python3
"""A loopback HTTPS proxy that is itself the fake: rclone is started with HTTPS_PROXY pointing here and --ca-cert
pointing at this proxy's CA, so backends whose API hosts are fixed in rclone's source (Drive, OneDrive, Dropbox,
Box, …) talk to Python fakes without any traffic leaving 127.0.0.1. The proxy never opens an outbound connection:
every CONNECT is answered by terminating TLS here with a certificate made for the requested host, and every request
inside the tunnel goes to a route function.

    proxy = Proxy(port, workdir, route)   # route(Request) -> Response | Reset | Close | Hang | Partial | Raw
    proxy.start(); …; proxy.stop()

`proxy.cert_mode` picks the certificate for new tunnels: "ok", "self_signed" (not signed by the CA), "expired",
"wrong_host" (valid, for another name)."""
import json, os, socket, ssl, struct, subprocess, threading, time, urllib.parse
from email.parser import BytesHeaderParser


class Request:
    def __init__(self, method, host, target, headers, body):
        self.method, self.host, self.headers, self.body = method, host, headers, body
        parts = urllib.parse.urlsplit(target)
        self.path = urllib.parse.unquote(parts.path)
        self.raw_path = parts.path
        self.query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)

    def arg(self, name, default=None):
        return self.query.get(name, [default])[0]

    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def __repr__(self):
        return f"{self.method} https://{self.host}{self.path}"


class Response:
    def __init__(self, status=200, body=b"", headers=None, content_type=None, reason=None):
        if isinstance(body, (dict, list)):
            body, content_type = json.dumps(body).encode(), content_type or "application/json"
        elif isinstance(body, str):
            body = body.encode()
        self.status, self.body, self.reason = status, body, reason
        self.headers = dict(headers or {})
        if content_type:
            self.headers.setdefault("Content-Type", content_type)


class Reset:
    """Answer nothing; RST the connection."""


class Close:
    """Answer nothing; close the connection (the client reads EOF)."""


class Hang:
    def __init__(self, seconds=30):
        self.seconds = seconds


class Partial:
    """Headers promising declared_length bytes, then body (shorter), then RST."""
    def __init__(self, status=200, body=b"", declared_length=1 << 20, headers=None):
        self.status, self.body, self.declared_length, self.headers = status, body, declared_length, dict(headers or {})


class Raw:
    """Write these bytes as the whole answer, then close."""
    def __init__(self, data):
        self.data = data if isinstance(data, bytes) else data.encode()


REASONS = {200: "OK", 201: "Created", 204: "No Content", 206: "Partial Content", 301: "Moved Permanently",
           302: "Found", 304: "Not Modified", 308: "Permanent Redirect", 400: "Bad Request", 401: "Unauthorized",
           403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict",
           410: "Gone", 411: "Length Required", 412: "Precondition Failed", 413: "Payload Too Large",
           416: "Range Not Satisfiable", 422: "Unprocessable Entity", 423: "Locked", 429: "Too Many Requests", 500: "Internal Server Error",
           501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
           507: "Insufficient Storage"}


def _openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


class Certs:
    """A CA (ca.pem, give it to rclone's --ca-cert) and leaf certificates made on demand, cached per host and mode."""
    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "certs")
        os.makedirs(self.dir, exist_ok=True)
        self.ca = os.path.join(self.dir, "ca.pem")
        self.ca_key = os.path.join(self.dir, "ca.key")
        self._lock = threading.Lock()
        self._contexts = {}
        if not os.path.exists(self.ca):
            _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.ca_key, "-out", self.ca,
                     "-days", "3650", "-subj", "/CN=Rcmd corpus loopback CA")

    def context(self, host, mode):
        key = (host, mode)
        with self._lock:
            if key not in self._contexts:
                cert, leaf_key = self._leaf(host, mode)
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(cert, leaf_key)
                ctx.set_alpn_protocols(["http/1.1"])
                self._contexts[key] = ctx
            return self._contexts[key]

    def _leaf(self, host, mode):
        name = f"{host}-{mode}".replace(":", "_")
        cert, key, csr = (os.path.join(self.dir, name + ext) for ext in (".pem", ".key", ".csr"))
        if os.path.exists(cert):
            return cert, key
        cn = "other.invalid" if mode == "wrong_host" else host
        ext = os.path.join(self.dir, name + ".ext")
        with open(ext, "w") as f:
            f.write(f"subjectAltName=DNS:{cn}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
        if mode == "self_signed":
            _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "365",
                     "-subj", f"/CN={cn}", "-addext", f"subjectAltName=DNS:{cn}")
            return cert, key
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={cn}")
        # An expired certificate: valid for the first day of 2020 only (openssl x509 -not_before/-not_after need 3.4;
        # "ca" with -startdate/-enddate works on older ones too, but x509 -days with a past date does not, so use ca).
        if mode == "expired":
            cadb = os.path.join(self.dir, "cadb")
            os.makedirs(cadb, exist_ok=True)
            open(os.path.join(cadb, "index.txt"), "a").close()
            conf = os.path.join(cadb, "ca.conf")
            with open(conf, "w") as f:
                f.write(f"[ca]\ndefault_ca=d\n[d]\ndatabase={cadb}/index.txt\nnew_certs_dir={cadb}\nserial={cadb}/serial\n"
                        "default_md=sha256\npolicy=p\ncopy_extensions=copy\n[p]\ncommonName=supplied\n")
            if not os.path.exists(os.path.join(cadb, "serial")):
                with open(os.path.join(cadb, "serial"), "w") as f:
                    f.write("1000\n")
            _openssl("ca", "-batch", "-config", conf, "-cert", self.ca, "-keyfile", self.ca_key, "-in", csr, "-out", cert,
                     "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-extfile", ext, "-notext")
            return cert, key
        _openssl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key, "-CAcreateserial", "-out", cert,
                 "-days", "365", "-extfile", ext)
        return cert, key


class Proxy:
    def __init__(self, port, workdir, route, log=None):
        self.port, self.route, self.log = port, route, log
        self.certs = Certs(workdir)
        self.cert_mode = "ok"
        self.requests = []          # every Request seen, for the runner's checks
        self._sock = None
        self._stop = threading.Event()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", self.port))
        self._sock.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self):
        self._stop.set()
        try:
            self._sock.close()
        except OSError:
            pass

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            conn.settimeout(60)
            reader = conn.makefile("rb")
            line = reader.readline(65536).decode("latin-1")
            if not line:
                return
            method, target, _ = line.split(" ", 2)
            headers = BytesHeaderParser().parsebytes(self._read_head(reader))
            if method == "CONNECT":
                host = target.rsplit(":", 1)[0]
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                tls = self.certs.context(host, self.cert_mode).wrap_socket(conn, server_side=True)
                tls.settimeout(60)
                self._serve_http(tls, tls.makefile("rb"), host, None)
            else:
                host = urllib.parse.urlsplit(target).netloc or headers.get("Host", "")
                self._serve_http(conn, reader, host, (method, target, headers))
        except (OSError, ssl.SSLError, ValueError) as e:
            if self.log:
                self.log(f"proxy: {type(e).__name__}: {e}")
        finally:
            try:
                conn.close()
            except OSError:
                pass

    @staticmethod
    def _read_head(reader):
        lines = []
        while True:
            raw = reader.readline(65536)
            if raw in (b"\r\n", b"\n", b""):
                return b"".join(lines)
            lines.append(raw)

    def _serve_http(self, conn, reader, host, first):
        while True:
            if first:
                method, target, headers = first
                first = None
            else:
                line = reader.readline(65536).decode("latin-1")
                if not line.strip():
                    return
                method, target, _ = line.split(" ", 2)
                headers = BytesHeaderParser().parsebytes(self._read_head(reader))
            if target.startswith("http"):
                parts = urllib.parse.urlsplit(target)
                target = parts.path + ("?" + parts.query if parts.query else "")
            body = self._read_body(reader, headers)
            req = Request(method, host, target, headers, body)
            self.requests.append(req)
            if self.log:
                self.log(f"proxy: {req}")
            answer = self.route(req)
            if not self._answer(conn, answer, method):
                return

    @staticmethod
    def _read_body(reader, headers):
        if headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(reader.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    reader.readline()
                    return out
                out += reader.read(size)
                reader.readline()
        length = int(headers.get("Content-Length") or 0)
        return reader.read(length) if length else b""

    def _answer(self, conn, answer, method):
        """Write the answer; False when the connection must end."""
        if isinstance(answer, Reset):
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if isinstance(answer, Close):
            return False
        if isinstance(answer, Hang):
            time.sleep(answer.seconds)
            return False
        if isinstance(answer, Raw):
            conn.sendall(answer.data)
            return False
        if isinstance(answer, Partial):
            head = [f"HTTP/1.1 {answer.status} {REASONS.get(answer.status, 'Status')}",
                    f"Content-Length: {answer.declared_length}"] + [f"{k}: {v}" for k, v in answer.headers.items()]
            conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + answer.body)
            time.sleep(0.2)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        reason = answer.reason or REASONS.get(answer.status, "Status")
        headers = dict(answer.headers)
        headers.setdefault("Content-Length", str(len(answer.body)))
        headers.setdefault("Date", time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()))
        head = [f"HTTP/1.1 {answer.status} {reason}"] + [f"{k}: {v}" for k, v in headers.items()]
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + (b"" if method == "HEAD" else answer.body))
        return True
