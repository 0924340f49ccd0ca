"""Group mjs: Mail.ru Cloud (and Jottacloud when there is time), faked behind mitm.py.

Mail.ru (rclone 1.60.1 backend/mailru): API https://cloud.mail.ru/api/m1/..., dispatcher
https://dispatcher.cloud.mail.ru/{m,u,d}, OAuth (password grant) https://o2.mail.ru/token, and the hosts the
dispatcher names (meta server for the binary protocol, upload shard, download server).
Error bodies follow rclone's api.FileErrorResponse ({"email","body":{"home":{"value","error"}},"time","status"})
and api.ServerErrorResponse ({"email","body":"<word>","time","status"}); the error words are the ones Mail.ru's
web API uses (not_exists, exists, read_only, invalid, overquota, ...). Written for the fakes, not captured.

Three remotes of the same account differ only in user_agent, which the fake reads to know where the fault goes:
  mru    fault on every API/meta/data call after rclone's first item lookup (NewFs ignores that one's errors)
  mruop  item lookups (GET /api/m1/file) always answer; the fault hits the operation itself (list, remove,
         user, meta-server binary calls, upload shard PUT, download GET)
  mrutok the stored token is expired, so rclone asks o2.mail.ru/token for a new one (password grant): token faults
"""
import hashlib, json, time

from mitm import Response, Reset, Close, Hang, Partial, Raw

# ---- faults and their codes (labelling-brief.md), fixed before any run ----
FAULTS = {
    "e401_token": "invalid_credentials",      # Mail.ru's rejected-token answer: 403 {"body":"token"}
    "e401_http": "invalid_credentials",       # plain HTTP 401 with {"body":"token"}
    "tok_invalid_grant": "invalid_credentials",
    "tok_invalid_client": "invalid_credentials",
    "tok_500": "unknown",
    "tok_503": "rate_limited",
    "e403": "access_denied",                  # 403 file error read_only
    "e403_user": "access_denied",             # 403 server error "forbidden"
    "e429": "rate_limited",
    "e429_retry_after": "rate_limited",
    "e503": "rate_limited",
    "e500": "unknown",
    "not_found": "not_found",
    "exists": "conflict",
    "dir_not_empty": "conflict",
    "bad_name": "validation_error",
    "quota": "unknown",
    "html502": "network_error",
    "e504": "upstream_timeout",
    "reset": "network_error",
    "close": "network_error",
    "hang": "upstream_timeout",
    "partial": "network_error",
    "garbled": "unknown",
    "tls_self_signed": "network_error",
    "tls_expired": "network_error",
    "tls_wrong_host": "network_error",
}

CERT_MODE = {"tls_self_signed": "self_signed", "tls_expired": "expired", "tls_wrong_host": "wrong_host"}

FUTURE = "2031-01-01T00:00:00Z"
PAST = "2021-01-01T00:00:00Z"


def _tok(expiry):
    return json.dumps({"access_token": "mrcorpusaccess0123456789", "token_type": "Bearer",
                       "refresh_token": "mrcorpusrefresh0123456789", "expiry": expiry})


MR_BASE = {"type": "mailru", "user": "rclone-corpus@mail.ru", "speedup_enable": "false"}
REMOTES = {
    "mru": dict(MR_BASE, token=_tok(FUTURE), user_agent="rcorpus-all"),
    "mruop": dict(MR_BASE, token=_tok(FUTURE), user_agent="rcorpus-op"),
    "mrutok": dict(MR_BASE, token=_tok(PAST), user_agent="rcorpus-tok"),
}

# ---- the fake Mail.ru tree ----
DATA = bytes((i * 7 + 3) % 251 for i in range(64 * 1024))


def mrhash(data):
    if len(data) <= 20:
        return (data + b"\0" * 20)[:20].hex().upper()
    return hashlib.sha1(b"mrCloud" + data + str(len(data)).encode()).hexdigest().upper()


EMAIL = "rclone-corpus@mail.ru"
MTIME = 1700000000
TREE = {
    "/": ("folder", ["/dir", "/empty"]),
    "/dir": ("folder", ["/dir/f.bin"]),
    "/empty": ("folder", []),
    "/dir/f.bin": ("file", None),
}
META = "https://cloclo5.cloud.mail.ru/meta"
UPLOAD = "https://cloclo18-upload.cloud.mail.ru/upload/"
DOWNLOAD = "https://cloclo11.datacloudmail.ru/get/"
MR_HOSTS = ("cloud.mail.ru", "dispatcher.cloud.mail.ru", "o2.mail.ru", "cloclo5.cloud.mail.ru",
            "cloclo18-upload.cloud.mail.ru", "cloclo11.datacloudmail.ru")


def _ms():
    return int(time.time() * 1000)


def _item(home):
    kind, kids = TREE[home]
    name = home.rsplit("/", 1)[-1] or "/"
    if kind == "file":
        return {"kind": "file", "type": "file", "name": name, "home": home, "size": len(DATA), "mtime": MTIME,
                "hash": mrhash(DATA), "virus_scan": "pass"}
    files = sum(1 for k in kids if TREE[k][0] == "file")
    return {"kind": "folder", "type": "folder", "name": name, "home": home, "size": len(DATA) * files,
            "tree": "363136353436313530303030", "grev": 12, "rev": 12,
            "count": {"folders": len(kids) - files, "files": files}}


def _file_error(status, home, word):
    return Response(status, {"email": EMAIL, "body": {"home": {"value": home, "error": word}}, "time": _ms(),
                             "status": status})


def _server_error(status, word):
    return Response(status, {"email": EMAIL, "body": word, "time": _ms(), "status": status})


def _norm_home(h):
    h = "/" + (h or "").strip("/")
    return h


def _mr_normal(req, state):
    """The fake answering correctly."""
    host, p = req.host, req.path
    form = {}
    if req.body and b"=" in req.body:
        import urllib.parse
        form = {k: v[0] for k, v in urllib.parse.parse_qs(req.body.decode(errors="replace")).items()}
    if host == "dispatcher.cloud.mail.ru":
        word = {"/m": META, "/u": UPLOAD, "/d": DOWNLOAD}.get(p)
        return Response(200, f"{word} 127.0.0.1 1\n", content_type="text/plain") if word else Response(404, "")
    if host == "cloud.mail.ru":
        if p == "/api/m1/file":
            home = _norm_home(req.arg("home"))
            if home in TREE:
                return Response(200, {"email": EMAIL, "body": _item(home), "time": _ms(), "status": 200})
            return _file_error(404, home, "not_exists")
        if p == "/api/m1/folder":
            home = _norm_home(form.get("home"))
            if home not in TREE:
                return _file_error(404, home, "not_exists")
            body = _item(home)
            body["list"] = [_item(k) for k in TREE[home][1]]
            body["sort"] = {"order": "asc", "type": "name"}
            return Response(200, {"email": EMAIL, "body": body, "time": _ms(), "status": 200})
        if p == "/api/m1/user":
            return Response(200, {"email": EMAIL, "status": 200, "time": _ms(), "body": {
                "account_type": "regular", "account_verified": True, "domain": "mail.ru", "login": "rclone-corpus",
                "newbie": False, "cloud": {"space": {"bytes_total": 8589934592, "bytes_used": 65536,
                                                     "overquota": False}, "file_size_limit": 2147483648}}})
        if p == "/api/m1/file/remove":
            return Response(200, {"email": EMAIL, "body": _norm_home(form.get("home")), "time": _ms(),
                                  "status": 200})
        return _server_error(400, "invalid")
    if host == "cloclo5.cloud.mail.ru":       # binary protocol: first byte is the status, 0 = OK
        return Response(200, b"\x00", content_type="application/octet-stream")
    if host == "cloclo18-upload.cloud.mail.ru":
        return Response(201, mrhash(req.body) + "\n", content_type="text/plain")
    if host == "cloclo11.datacloudmail.ru":
        return Response(200, DATA, content_type="application/octet-stream")
    return Response(404, "not faked")


TRANSPORT = {"reset", "close", "hang", "partial", "garbled", "html502", "e504", "e429", "e429_retry_after",
             "e503", "e500", "e401_token", "e401_http", "e403", "e403_user"}
HTML502 = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
           "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
HTML504 = HTML502.replace("502 Bad Gateway", "504 Gateway Time-out")


def _mr_fault(req, fault, home):
    """The answer for a faulted request."""
    binary = req.host == "cloclo5.cloud.mail.ru"
    data_host = req.host in ("cloclo18-upload.cloud.mail.ru", "cloclo11.datacloudmail.ru")
    if fault == "reset":
        return Reset()
    if fault == "close":
        return Close()
    if fault == "hang":
        return Hang(20)
    if fault == "partial":
        if data_host:
            return Partial(200, DATA[:5000], declared_length=len(DATA))
        return Partial(200, b'{"email":"' + EMAIL.encode() + b'","body":{"count":{"folders":1,', declared_length=4096,
                       headers={"Content-Type": "application/json"})
    if fault == "garbled":
        if binary or data_host:
            return Response(200, b"", content_type="text/plain")
        return Response(200, b'{"email":"' + EMAIL.encode() + b'","body":{"kind":"folder","list":[{"kind":"fi\x00\xff',
                        content_type="application/json")
    if fault == "html502":
        return Response(502, HTML502, content_type="text/html")
    if fault == "e504":
        return Response(504, HTML504, content_type="text/html")
    if fault == "e429":
        return _server_error(429, "rate_limit_exceeded")
    if fault == "e429_retry_after":
        return Response(429, {"email": EMAIL, "body": "rate_limit_exceeded", "time": _ms(), "status": 429},
                        headers={"Retry-After": "1"})
    if fault == "e503":
        return Response(503, "Service Temporarily Unavailable", content_type="text/plain")
    if fault == "e500":
        return _server_error(500, "unknown")
    if fault == "e401_token":
        return _server_error(403, "token")
    if fault == "e401_http":
        return _server_error(401, "token")
    if fault == "e403":
        return _file_error(403, home, "read_only")
    if fault == "e403_user":
        return _server_error(403, "user")
    # semantic faults
    if binary:
        first = req.body[:1]
        op = req.body[0] if req.body else 0
        code = {"not_found": {106: 1, 105: 1, 103: 5}, "exists": {106: 4, 105: 4, 103: 4},
                "bad_name": {106: 10, 105: 5, 103: 10}, "quota": {103: 7}}.get(fault, {}).get(op)
        if code is None:
            return None
        return Response(200, bytes([code]), content_type="application/octet-stream")
    if data_host:
        if fault == "quota" and req.method == "PUT":
            return Response(507, "Insufficient Storage", content_type="text/plain")
        if fault == "not_found" and req.method == "GET":
            return Response(404, "Not Found", content_type="text/plain")
        return None
    if fault == "not_found":
        return _file_error(404, home, "not_exists")
    if fault == "exists":
        return _file_error(400, home, "exists")
    if fault == "bad_name":
        return _file_error(400, home, "invalid")
    if fault == "quota":
        return _file_error(507, home, "overquota")
    return None


def _mr_route(req, fault, state):
    ua = req.headers.get("User-Agent", "")
    if req.host == "o2.mail.ru":
        if fault == "tok_invalid_grant":
            return Response(400, {"error": "invalid_grant", "error_description": "wrong login or password"})
        if fault == "tok_invalid_client":
            return Response(401, {"error": "invalid_client", "error_description": "unknown client_id"})
        if fault == "tok_500":
            return Response(500, {"error": "server_error", "error_description": "internal error"})
        if fault == "tok_503":
            return Response(503, "Service Temporarily Unavailable", content_type="text/plain")
        return Response(200, {"access_token": "mrcorpusaccessnew", "token_type": "bearer", "expires_in": 3600,
                              "refresh_token": "mrcorpusrefreshnew"})
    if fault in CERT_MODE or fault.startswith("tok_") or req.host == "dispatcher.cloud.mail.ru":
        return _mr_normal(req, state)
    import urllib.parse
    form = {}
    if req.body and b"=" in req.body[:200]:
        form = {k: v[0] for k, v in urllib.parse.parse_qs(req.body.decode(errors="replace")).items()}
    home = _norm_home(req.arg("home") or form.get("home") or "/dir")
    faulted = True
    if req.host == "cloud.mail.ru" and req.path == "/api/m1/file":
        if "rcorpus-op" in ua:
            faulted = False
        elif not state.get("first_lookup_done"):
            state["first_lookup_done"] = True
            faulted = False
    if fault == "dir_not_empty":
        faulted = False
    if faulted:
        ans = _mr_fault(req, fault, home)
        if ans is not None:
            return ans
    return _mr_normal(req, state)


def route(req, fault, state):
    if req.host in MR_HOSTS:
        return _mr_route(req, fault, state)
    return Response(404, "not faked: " + req.host)


MR_ALL = [("lsjson", ["lsjson", "mru:dir"]), ("lsd", ["lsd", "mru:"]), ("about", ["about", "mru:"]),
          ("copyto-down-lookup", ["copyto", "mru:dir/f.bin", "{tmp}/f.bin"])]
MR_OP = [("copyto-up", ["copyto", "{src}", "mruop:dir/f.bin"]), ("copyto-down", ["copyto", "mruop:dir/f.bin", "{tmp}/f.bin"]),
         ("cat", ["cat", "mruop:dir/f.bin"]), ("mkdir", ["mkdir", "mruop:newdir"]), ("rmdir", ["rmdir", "mruop:empty"]),
         ("deletefile", ["deletefile", "mruop:dir/f.bin"]), ("moveto", ["moveto", "mruop:dir/f.bin", "mruop:dir/g.bin"]),
         ("size", ["size", "mruop:dir"]), ("purge", ["purge", "mruop:dir"])]
MR_TOK = [("lsd", ["lsd", "mrutok:"]), ("lsjson", ["lsjson", "mrutok:dir"]), ("copyto-up", ["copyto", "{src}", "mrutok:dir/f.bin"])]

# which commands make sense for which semantic fault
MR_SEMANTIC = {
    "not_found": ["lsjson", "lsd", "copyto-down-lookup", "copyto-up", "copyto-down", "cat", "mkdir", "rmdir",
                  "deletefile", "moveto", "size", "purge"],
    "exists": ["copyto-up", "mkdir", "moveto", "deletefile", "purge"],
    "bad_name": ["lsjson", "copyto-up", "mkdir", "moveto", "deletefile"],
    "quota": ["copyto-up", "about", "mkdir"],
    "dir_not_empty": [],
}


def scenarios():
    out = []
    for fault in FAULTS:
        if fault.startswith("tok_"):
            for name, argv in MR_TOK:
                out.append(("mailru", "mrutok", fault, name, argv))
            continue
        if fault == "dir_not_empty":
            out.append(("mailru", "mruop", fault, "rmdir", ["rmdir", "mruop:dir"]))
            continue
        if fault in CERT_MODE:
            for name, argv in MR_ALL[:2] + MR_OP[:1]:
                out.append(("mailru", argv[-1].split(":")[0] if ":" in argv[-1] else argv[1].split(":")[0], fault, name, argv))
            continue
        allowed = MR_SEMANTIC.get(fault)
        for name, argv in MR_ALL + MR_OP:
            if allowed is not None and name not in allowed:
                continue
            remote = "mru" if any(a.startswith("mru:") for a in argv) else "mruop"
            out.append(("mailru", remote, fault, name, argv))
    return out
