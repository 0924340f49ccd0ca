#!/usr/bin/env python3
"""Loopback fakes of seafile / koofr / sia / pcloud / hidrive / netstorage APIs with fault injection.

usage: fake.py BACKEND PORT [--tls]
The current fault is read per request from state/BACKEND.json (next to this script):
  {"fault": "<name>", "scope": "op"|"deep"|"all"}
scope "op": setup requests (server info, library list, root listing) answer normally, the rest get the fault.
"""
import json, os, socket, ssl, struct, sys, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BACKEND = sys.argv[1]
PORT = int(sys.argv[2])
TLS = "--tls" in sys.argv
HERE = os.path.dirname(os.path.abspath(__file__))
STATE = f"{HERE}/state/{BACKEND}.json"
LOG = f"{HERE}/logs/fake-{BACKEND}-{PORT}.log"
NOW = int(time.time())
CONTENT = b"hello"


def state():
    try:
        with open(STATE) as f:
            return json.load(f)
    except Exception:
        return {"fault": "none", "scope": "op"}


def rfc1123(t=NOW):
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t))


# --------------------------------------------------------------------------------------------
# per-backend native error bodies for generic HTTP status faults
REASON = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
          412: "Precondition Failed", 423: "Locked", 429: "Too Many Requests", 500: "Internal Server Error",
          502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout", 507: "Insufficient Storage",
          413: "Request Entity Too Large", 443: "Out of quota", 440: "Library encrypted", 520: "Operation failed"}

GENERIC_MSG = {401: "Invalid token", 403: "Permission denied", 404: "Not found", 409: "Already exists",
               412: "Precondition failed", 423: "Resource is locked", 429: "Too many requests",
               500: "Internal server error", 502: "Bad gateway", 503: "Service temporarily unavailable",
               504: "Gateway timeout"}


def native_body(status, msg=None, code=None):
    msg = msg or GENERIC_MSG.get(status, REASON.get(status, "error"))
    if BACKEND == "seafile":
        if status == 401:
            return json.dumps({"detail": msg})
        return json.dumps({"error_msg": msg})
    if BACKEND == "pcloud":
        return json.dumps({"result": code or status, "error": msg})
    if BACKEND == "hidrive":
        return json.dumps({"code": str(code or status), "msg": msg})
    if BACKEND == "sia":
        return json.dumps({"message": msg})
    if BACKEND == "koofr":
        return json.dumps({"error": {"code": code or REASON.get(status, "Error").replace(" ", ""), "message": msg},
                           "requestId": "8f2c1d"})
    if BACKEND == "netstorage":
        return (f"<HTML><HEAD><TITLE>{status} {REASON.get(status,'')}</TITLE></HEAD><BODY>"
                f"<H1>{REASON.get(status,'')}</H1>{msg}</BODY></HTML>")
    return msg


# native faults: name -> (status, body-msg, code) ; pcloud uses HTTP 200 with result code
NATIVE = {
    "pcloud": {
        "pc_1000_login_required": (200, "Log in required.", 1000),
        "pc_2000_login_failed": (200, "Log in failed.", 2000),
        "pc_2094_invalid_token": (200, "Invalid 'access_token' provided.", 2094),
        "pc_2003_access_denied": (200, "Access denied. You do not have permissions to perform this operation.", 2003),
        "pc_2005_dir_missing": (200, "Directory does not exist.", 2005),
        "pc_2009_file_missing": (200, "File not found.", 2009),
        "pc_2004_exists": (200, "File or folder alredy exists.", 2004),
        "pc_2006_not_empty": (200, "Folder is not empty.", 2006),
        "pc_2008_over_quota": (200, "User is over quota.", 2008),
        "pc_4000_too_many": (200, "Too many login tries from this IP address.", 4000),
        "pc_5000_internal": (200, "Internal error.", 5000),
        "pc_2001_bad_name": (200, "Invalid file/folder name.", 2001),
    },
    "hidrive": {
        "hd_401_token": (401, "Unauthorized: invalid access_token", 401),
        "hd_403_perm": (403, "Forbidden: insufficient permissions for this path", 403),
        "hd_404_path": (404, "Not Found: no such file or directory", 404),
        "hd_409_exists": (409, "Conflict: target already exists", 409),
        "hd_507_quota": (507, "Insufficient Storage: quota exceeded", 507),
        "hd_400_param": (400, "Bad Request: invalid value for parameter 'path'", 400),
        "hd_423_locked": (423, "Locked: resource is locked", 423),
    },
    "seafile": {
        "sf_401_invalid_token": (401, "Invalid token", None),
        "sf_403_perm": (403, "Permission denied.", None),
        "sf_404_library": (404, "Library not found.", None),
        "sf_404_file": (404, "File not found.", None),
        "sf_443_quota": (443, "Out of quota.", None),
        "sf_400_bad_path": (400, "p invalid.", None),
        "sf_520_failed": (520, "Operation failed", None),
    },
    "sia": {
        "sia_no_file": (400, "no file known with that path", None),
        "sia_dir_missing": (500, "failed to get directory contents /dir: path does not exist", None),
        "sia_enoent": (500, "open /var/lib/sia/renter/fs/dir: no such file or directory", None),
        "sia_api_auth": (401, "API authentication failed.", None),
        "sia_user_agent": (400, "Browser access disabled due to security vulnerability. Use Sia-UI or siac.", None),
        "sia_no_contracts": (500, "upload failed: not enough contracts to upload file: got 0, needed 10", None),
        "sia_wallet_locked": (500, "wallet must be unlocked before it can be used", None),
    },
    "koofr": {
        "kf_unauthorized": (401, "Invalid credentials", "Unauthorized"),
        "kf_forbidden": (403, "Access to mount denied", "Forbidden"),
        "kf_not_found": (404, "File not found", "NotFound"),
        "kf_exists": (409, "File already exists", "AlreadyExists"),
        "kf_quota": (413, "Quota exceeded", "QuotaExceeded"),
        "kf_bad_request": (400, "Invalid path", "BadRequest"),
    },
    "netstorage": {
        "ns_sig_mismatch": (403, "Forbidden: X-Akamai-ACS-Auth-Sign signature does not match", None),
        "ns_clock_skew": (403, "Forbidden: X-Akamai-ACS-Auth-Data timestamp is outside the allowed clock skew", None),
        "ns_bad_action": (400, "Bad Request: unsupported X-Akamai-ACS-Action version", None),
        "ns_quota": (507, "Insufficient Storage: storage group quota exceeded", None),
        "ns_not_found": (404, "Not Found", None),
    },
}

HTTP_FAULTS = {"http401": 401, "http403": 403, "http404": 404, "http409": 409, "http412": 412, "http423": 423,
               "http429": 429, "http429ra": 429, "http500": 500, "http502": 502, "http503": 503, "http503ra": 503,
               "http504": 504}


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake/" + BACKEND

    def log_message(self, fmt, *a):
        with open(LOG, "a") as f:
            f.write("%s %s\n" % (time.strftime("%H:%M:%S"), fmt % a))

    # ---------------------------------------------------------------- helpers
    def send(self, status, body, ctype="application/json", headers=None):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status, REASON.get(status))
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def j(self, obj, status=200):
        self.send(status, json.dumps(obj))

    def read_body(self):
        if getattr(self, "_body_read", False):
            return b""
        self._body_read = True
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            return self.rfile.read(n)
        if "chunked" in (self.headers.get("Transfer-Encoding") or ""):
            data = b""
            while True:
                line = self.rfile.readline()
                sz = int(line.strip().split(b";")[0] or b"0", 16)
                if sz == 0:
                    self.rfile.readline()
                    break
                data += self.rfile.read(sz)
                self.rfile.readline()
            return data
        return b""

    def rst(self):
        s = self.connection
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except Exception:
            pass
        s.close()
        self.close_connection = True

    # ---------------------------------------------------------------- dispatch
    def handle_any(self):
        self._body_read = False
        u = urllib.parse.urlparse(self.path)
        self.p = u.path
        self.q = {k: v[0] for k, v in urllib.parse.parse_qs(u.query).items()}
        st = state()
        fault = st.get("fault", "none")
        scope = st.get("scope", "op")
        # oauth token endpoint: only faulted by oauth_* faults
        if self.p.endswith("/oauth2/token") or self.p.endswith("oauth2_token") or self.p.endswith("/token_ep"):
            self.read_body()
            if fault == "oauth_invalid_grant":
                return self.j({"error": "invalid_grant", "error_description": "Invalid refresh token"}, 400)
            if fault == "oauth_invalid_client":
                return self.j({"error": "invalid_client", "error_description": "Client authentication failed"}, 401)
            if fault == "oauth_500":
                return self.send(500, "<html><body>Internal Server Error</body></html>", "text/html")
            return self.j({"access_token": "newtok", "token_type": "Bearer", "refresh_token": "r2", "expires_in": 3600})
        setup = self.is_setup() or (scope == "deep" and self.is_deep_setup())
        if fault != "none" and not fault.startswith("oauth_") and (scope == "all" or not setup):
            if self.apply_fault(fault):
                return
        return self.happy()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_MKCOL = lambda self: self.handle_any()

    def apply_fault(self, fault):
        """returns True when the request was answered by the fault"""
        if fault in ("reset_now",):
            self.rst()
            return True
        if fault == "slow":
            time.sleep(8)
            try:
                self.read_body()
                self.send(200, native_body(200, "late"))
            except Exception:
                pass
            return True
        if fault == "reset_mid_body":
            try:
                self.read_body()
            except Exception:
                pass
            self.send_response(200)
            self.send_header("Content-Type", "application/json" if BACKEND != "netstorage" else "text/xml")
            self.send_header("Content-Length", "4096")
            self.end_headers()
            self.wfile.write(b'{"result": 0, "metadata": {"name": "dir", "contents": [' if BACKEND != "netstorage"
                             else b'<stat directory="/123456"><file type="dir" ')
            self.wfile.flush()
            time.sleep(0.2)
            self.rst()
            return True
        if fault == "eof_no_response":
            try:
                self.read_body()
            except Exception:
                pass
            self.connection.close()
            self.close_connection = True
            return True
        try:
            self.read_body()
        except Exception:
            pass
        if fault == "bad_json":
            if BACKEND == "netstorage":
                self.send(200, "<stat directory=\"/123456\"><file type=\"dir\" name=\"dir", "text/xml")
            else:
                self.send(200, '{"result": 0, "metadata": {"name": "dir", "contents": [', "application/json")
            return True
        if fault == "html_body":
            self.send(200, "<!DOCTYPE html><html><head><title>Maintenance</title></head><body><h1>We'll be back soon"
                           "</h1></body></html>", "text/html")
            return True
        if fault == "html_502":
            self.send(502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
                           "</h1></center><hr><center>nginx/1.18.0</center></body></html>", "text/html")
            return True
        if fault in HTTP_FAULTS:
            status = HTTP_FAULTS[fault]
            hdr = {}
            if fault in ("http429ra", "http503ra"):
                hdr["Retry-After"] = "1"
            if status == 401 and BACKEND in ("pcloud", "hidrive"):
                hdr["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            self.send(status, native_body(status), headers=hdr)
            return True
        if fault.startswith("sf_login_"):
            if self.p != "/api2/auth-token/":
                return False
            msg = ("Unable to login with provided credentials." if fault == "sf_login_bad"
                   else "Two factor auth token is missing.")
            self.send(400, json.dumps({"non_field_errors": [msg]}))
            return True
        if fault == "sf_no_library":
            if self.p != "/api2/repos/":
                return False
            self.j([])
            return True
        nat = NATIVE.get(BACKEND, {}).get(fault)
        if nat:
            status, msg, code = nat
            if BACKEND == "pcloud":
                self.j({"result": code, "error": msg})
            else:
                self.send(status, native_body(status, msg, code))
            return True
        return False

    # ---------------------------------------------------------------- setup predicates
    def is_setup(self):
        p, q = self.p, self.q
        if BACKEND == "seafile":
            return p in ("/api2/server-info/", "/api2/repos/", "/api2/auth-token/")
        if BACKEND == "pcloud":
            return p == "/listfolder" and q.get("folderid", q.get("path")) in ("0", "/")
        if BACKEND == "hidrive":
            return p == "/meta" and q.get("path") in ("/", "")
        if BACKEND == "sia":
            return p.rstrip("/") in ("/renter/dir", "")
        if BACKEND == "koofr":
            return p == "/api/v2/mounts" or p == "/api/v2.1/mounts"
        if BACKEND == "netstorage":
            act = self.headers.get("X-Akamai-ACS-Action", "")
            return "action=stat" in act and p.rstrip("/") == "/123456"
        return False

    def is_deep_setup(self):
        """extra requests that answer normally in scope "deep" (root-is-a-file probes in NewFs etc.)"""
        p, q = self.p, self.q
        if BACKEND == "seafile":
            return "/file/detail/" in p
        if BACKEND == "pcloud":
            return p == "/listfolder"
        if BACKEND == "hidrive":
            return p == "/meta"
        if BACKEND == "sia":
            return p.startswith("/renter/file/") or (p.startswith("/renter/dir") and self.command == "GET")
        if BACKEND == "koofr":
            return p.endswith("/files/info")
        if BACKEND == "netstorage":
            act = self.headers.get("X-Akamai-ACS-Action", "")
            return "action=stat" in act
        return False

    # ---------------------------------------------------------------- happy paths
    def happy(self):
        getattr(self, "happy_" + BACKEND)()

    def happy_seafile(self):
        p, m = self.p, self.command
        body = self.read_body()
        lib = {"encrypted": False, "owner": "u@example.com", "id": "lib-1", "size": 5, "name": "lib", "mtime": NOW,
               "permission": "rw"}
        if p == "/api2/server-info/":
            return self.j({"version": "9.0.10", "features": ["seafile-basic"]})
        if p == "/api2/auth-token/":
            return self.j({"token": "tok123"})
        if p == "/api2/account/info/":
            return self.j({"usage": 5, "total": 1 << 30, "email": "u@example.com", "name": "u"})
        if p == "/api2/repos/":
            return self.j([lib])
        if "/file/detail/" in p:
            fp = self.q.get("p", "")
            if fp.endswith("f.txt"):
                return self.j({"id": "abc", "type": "file", "name": "f.txt", "size": 5, "parent_dir": "/dir",
                               "last_modified": "2026-12-01T10:00:00+00:00"})
            return self.send(404, json.dumps({"error_msg": "File not found."}))
        if "/dir/detail/" in p:
            return self.j({"repo_id": "lib-1", "name": "dir", "path": self.q.get("p", "/")})
        if "/dir/" in p:
            if m == "GET":
                fp = self.q.get("p", "/").rstrip("/")
                if fp in ("", "/"):
                    ents = [{"id": "d1", "type": "dir", "name": "dir", "size": 0, "parent_dir": "/", "mtime": NOW}]
                elif fp == "/dir":
                    ents = [{"id": "f1", "type": "file", "name": "f.txt", "size": 5, "parent_dir": "/dir/",
                             "mtime": NOW},
                            {"id": "d2", "type": "dir", "name": "emptydir", "size": 0, "parent_dir": "/dir/",
                             "mtime": NOW}]
                elif fp.endswith("emptydir"):
                    ents = []
                else:
                    return self.send(404, json.dumps({"error_msg": "Folder /x not found."}))
                if "/api/v2.1/" in p:
                    return self.j({"dirent_list": ents})
                return self.j(ents)
            return self.j({"success": True})
        if "/upload-link/" in p:
            return self.j(f"http://127.0.0.1:{PORT}/seafhttp/upload-api/xyz")
        if p.startswith("/seafhttp/upload-api/"):
            return self.j([{"id": "n1", "type": "file", "name": "f.txt", "size": 5, "parent_dir": "/dir"}])
        if p.endswith("/file/") and m == "GET":
            return self.j(f"http://127.0.0.1:{PORT}/seafhttp/files/xyz/f.txt")
        if p.startswith("/seafhttp/files/"):
            return self.send(200, CONTENT, "application/octet-stream")
        if p.endswith("/file/") and m == "DELETE":
            return self.j({"success": True})
        return self.j({"success": True})

    def pc_item(self, name, folder, fid, parent=0):
        it = {"path": "/" + name, "name": name, "created": rfc1123(), "modified": rfc1123(), "ismine": True,
              "thumb": False, "comments": 0, "id": ("d" if folder else "f") + str(fid), "isshared": False,
              "isdeleted": False, "icon": "folder" if folder else "document", "isfolder": folder,
              "parentfolderid": parent}
        if folder:
            it["folderid"] = fid
        else:
            it.update({"fileid": fid, "size": 5, "hash": 1234, "contenttype": "text/plain", "category": 0})
        return it

    def happy_pcloud(self):
        p, q = self.p, self.q
        self.read_body()
        if p == "/listfolder":
            fid = q.get("folderid", "0")
            if fid == "0":
                it = self.pc_item("", True, 0)
                it["contents"] = [self.pc_item("dir", True, 1)]
            elif fid == "1":
                it = self.pc_item("dir", True, 1)
                it["contents"] = [self.pc_item("f.txt", False, 11, 1), self.pc_item("emptydir", True, 2, 1)]
            else:
                it = self.pc_item("emptydir", True, int(fid), 1)
                it["contents"] = []
            return self.j({"result": 0, "metadata": it})
        if p == "/createfolder":
            return self.j({"result": 0, "metadata": self.pc_item(q.get("name", "newdir"), True, 7, 0)})
        if p in ("/deletefolder", "/deletefile"):
            return self.j({"result": 0, "metadata": self.pc_item("x", False, 11, 1)})
        if p == "/userinfo":
            return self.j({"result": 0, "quota": 1 << 30, "usedquota": 5, "email": "u@example.com"})
        if p == "/getfilelink":
            return self.j({"result": 0, "path": "/dl/f.txt", "hosts": [f"127.0.0.1:{PORT}"],
                           "expires": rfc1123(NOW + 3600 * 24 * 30), "size": 5, "hash": 1234})
        if p.startswith("/dl/"):
            return self.send(200, CONTENT, "application/octet-stream")
        if p == "/uploadfile":
            return self.j({"result": 0, "metadata": [self.pc_item(q.get("filename", "f.txt"), False, 12, 1)],
                           "fileids": [12], "checksums": [{"sha1": "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"}]})
        if p == "/checksumfile":
            return self.j({"result": 0, "sha1": "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d",
                           "metadata": self.pc_item("f.txt", False, 12, 1)})
        return self.j({"result": 0})

    def hd_obj(self, name, typ, path):
        return {"type": typ, "id": "b1", "parent_id": "b0", "name": name, "path": path, "size": 5 if typ == "file" else 0,
                "nmembers": 0, "mtime": NOW, "ctime": NOW, "readable": True, "writable": True}

    def happy_hidrive(self):
        p, q = self.p, self.q
        self.read_body()
        path = q.get("path", "/")
        name = path.rstrip("/").split("/")[-1]
        if p == "/meta":
            if path.endswith("f.txt"):
                return self.j(self.hd_obj(name, "file", path))
            if path in ("/", "") or path.endswith("dir"):
                return self.j(self.hd_obj(name, "dir", path))
            return self.j({"code": "404", "msg": "Not Found"}, 404)
        if p == "/dir":
            if self.command == "GET":
                o = self.hd_obj(name, "dir", path)
                mem = []
                if path.rstrip("/") == "/dir":
                    mem = [self.hd_obj("f.txt", "file", "/dir/f.txt"), self.hd_obj("emptydir", "dir", "/dir/emptydir")]
                elif path in ("/", ""):
                    mem = [self.hd_obj("dir", "dir", "/dir")]
                o["members"] = mem
                o["nmembers"] = len(mem)
                return self.j(o)
            if self.command == "DELETE":
                return self.send(204, b"")
            return self.j(self.hd_obj(name, "dir", path), 201)
        if p == "/file":
            if self.command == "GET":
                return self.send(200, CONTENT, "application/octet-stream")
            if self.command == "DELETE":
                return self.send(204, b"")
            return self.j(self.hd_obj(q.get("name", "f.txt"), "file", path), 201)
        return self.j({})

    def happy_sia(self):
        p = self.p
        self.read_body()
        t = "2026-12-01T10:00:00Z"
        if p.startswith("/renter/dir"):
            sp = p[len("/renter/dir"):].strip("/")
            if self.command == "POST":
                return self.send(204, b"")
            dirs = [{"siapath": sp, "mostrecentmodtime": t}]
            files = []
            if sp == "":
                dirs.append({"siapath": "dir", "mostrecentmodtime": t})
            elif sp == "dir":
                dirs.append({"siapath": "dir/emptydir", "mostrecentmodtime": t})
                files.append({"siapath": "dir/f.txt", "filesize": 5, "modtime": t, "available": True})
            elif sp.endswith("emptydir"):
                pass
            else:
                return self.send(500, json.dumps({"message": f"failed to get directory contents /{sp}: path does not exist"}))
            return self.j({"directories": dirs, "files": files})
        if p.startswith("/renter/file/"):
            sp = p[len("/renter/file/"):]
            if sp.endswith(".txt"):
                return self.j({"file": {"siapath": sp, "filesize": 5, "modtime": t, "available": True}})
            return self.send(400, json.dumps({"message": "no file known with that path"}))
        if p.startswith("/renter/stream/"):
            return self.send(200, CONTENT, "application/octet-stream")
        if p.startswith("/renter/uploadstream/") or p.startswith("/renter/delete/"):
            return self.send(204, b"")
        if p.startswith("/renter"):
            return self.j({"financialmetrics": {}, "settings": {}})
        return self.j({})

    def kf_file(self, name, typ):
        return {"name": name, "type": typ, "modified": NOW * 1000, "size": 5 if typ == "file" else 0,
                "contentType": "text/plain" if typ == "file" else "", "hash": "5d41402abc4b2a76b9719d911017c592",
                "tags": {}}

    def happy_koofr(self):
        p, q = self.p, self.q
        self.read_body()
        mount = {"id": "m1", "name": "Koofr", "type": "device", "origin": "hosted", "online": True,
                 "isPrimary": True, "spaceTotal": 10240, "spaceUsed": 1, "canWrite": True, "canUpload": True,
                 "isShared": False, "root": {"name": "", "type": "dir", "modified": 0, "size": 0}}
        if p in ("/api/v2/mounts", "/api/v2.1/mounts"):
            return self.j({"mounts": [mount]})
        path = q.get("path", "/")
        name = path.rstrip("/").split("/")[-1]
        if p.endswith("/files/info"):
            if path.endswith("f.txt"):
                return self.j(self.kf_file(name, "file"))
            if path in ("/", "") or path.endswith("dir"):
                return self.j(self.kf_file(name, "dir"))
            return self.send(404, json.dumps({"error": {"code": "NotFound", "message": "File not found"}}))
        if p.endswith("/files/list"):
            if path.rstrip("/") == "/dir":
                return self.j({"files": [self.kf_file("f.txt", "file"), self.kf_file("emptydir", "dir")]})
            if path in ("/", ""):
                return self.j({"files": [self.kf_file("dir", "dir")]})
            return self.j({"files": []})
        if p.endswith("/files/get"):
            return self.send(200, CONTENT, "application/octet-stream")
        if p.endswith("/files/put"):
            return self.j(self.kf_file(q.get("filename", "f.txt"), "file"))
        if p.endswith("/files/folder"):
            return self.send(201, b"")
        if p.endswith("/files/remove"):
            return self.send(200, b"")
        if p.rstrip("/").endswith("/mounts/m1"):
            return self.j(mount)
        return self.j({})

    def happy_netstorage(self):
        p = self.p
        self.read_body()
        act = self.headers.get("X-Akamai-ACS-Action", "")
        rel = p.rstrip("/")[len("/123456"):].strip("/")
        name = rel.split("/")[-1]
        x = lambda s: self.send(200, s, "text/xml")
        if "action=stat" in act:
            if rel == "":
                return x(f'<stat directory="/123456"><file type="dir" name="123456" mtime="{NOW}"/></stat>')
            if rel.endswith("f.txt"):
                return x(f'<stat directory="/123456/dir"><file type="file" name="f.txt" size="5" mtime="{NOW}" '
                         f'md5="5d41402abc4b2a76b9719d911017c592"/></stat>')
            if rel.endswith("dir"):
                return x(f'<stat directory="/123456"><file type="dir" name="{name}" mtime="{NOW}"/></stat>')
            return self.send(404, "<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD><BODY>Not Found</BODY></HTML>", "text/html")
        if "action=dir" in act:
            if rel == "dir":
                return x(f'<stat directory="/123456/dir"><file type="file" name="f.txt" size="5" mtime="{NOW}"/>'
                         f'<file type="dir" name="emptydir" mtime="{NOW}"/></stat>')
            if rel == "":
                return x(f'<stat directory="/123456"><file type="dir" name="dir" mtime="{NOW}"/></stat>')
            return x(f'<stat directory="/123456/{rel}"></stat>')
        if "action=list" in act:
            return x(f'<list><file type="file" name="123456/dir/f.txt" size="5" mtime="{NOW}"/></list>')
        if "action=du" in act:
            return x(f'<du directory="/123456"><du-info files="1" bytes="5"/></du>')
        if "action=download" in act:
            return self.send(200, CONTENT, "application/octet-stream")
        return self.send(200, b"<html>OK</html>", "text/html")


def main():
    os.makedirs(f"{HERE}/logs", exist_ok=True)
    srv = ThreadingHTTPServer(("127.0.0.1", PORT), H)
    srv.daemon_threads = True
    if TLS:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(f"{HERE}/cert.pem", f"{HERE}/key.pem")
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print("listening", PORT, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
