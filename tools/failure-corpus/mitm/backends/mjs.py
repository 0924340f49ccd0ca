"""Group mjs: Mail.ru Cloud, Jottacloud and Citrix ShareFile, faked behind mitm.py (README: mjs.md).

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
    "e401": "invalid_credentials",            # Jottacloud: 401 BadCredentialsException
    "e401_mismatch": "invalid_credentials",   # Jottacloud: 401 AuthenticationCredentialsNotFoundException
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
        if binary:      # a binary-protocol reply cut before its status byte
            return Partial(200, b"", declared_length=64, headers={"Content-Type": "application/octet-stream"})
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
    if req.host in JT_HOSTS:
        return _jt_route(req, fault, state)
    if req.host in SF_HOSTS:
        return _sf_route(req, fault, state)
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
        if fault in ("e401", "e401_mismatch"):
            continue                                  # Jottacloud-only answers
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


# ======================= Jottacloud =======================
# rclone 1.60.1 backend/jottacloud: customer info and upload allocation on https://api.jottacloud.com/ (JSON, no
# error handler: rclone prints "HTTP error N (status) returned body: ..."), files on https://jfs.jottacloud.com/jfs/
# (XML; errors are <error><code/><message/><reason/><cause/><hostname/><x-id/></error>, parsed into api.Error and
# printed "error N: message (reason)"), tokens from Keycloak at https://id.jottacloud.com/auth/realms/jottacloud/
# protocol/openid-connect/token (refresh_token grant, client jottacli), upload to the upload_url that allocate names.
# Where the fault goes is read from rclone's --user-agent (a global flag): "rcorpus-init" puts it on the customer
# call that NewFs makes; otherwise it hits every call after NewFs (customer call and root lookup answer normally).
JT_HOSTS = ("api.jottacloud.com", "jfs.jottacloud.com", "id.jottacloud.com", "up-no-004.jottacloud.com")
JT_USER = "rcorpus4x1q"
JT_BASE = "/jfs/" + JT_USER + "/Jotta/Archive"
JT_T = "2023-11-14-T22:13:20Z"
JT_MD5 = hashlib.md5(DATA).hexdigest()
JT_TREE = {"": ["dir", "empty"], "dir": ["f.bin"], "empty": [], "dir/f.bin": None}


def _jt_tok(expiry):
    return json.dumps({"access_token": "eyJhbGciOiJSUzI1NiJ9.rcorpus.jotta", "token_type": "Bearer",
                       "refresh_token": "eyJhbGciOiJIUzI1NiJ9.rcorpus.refresh", "expiry": expiry})


JT_CONF = {"type": "jottacloud", "configVersion": "1", "client_id": "jottacli"}
REMOTES.update({
    "jt": dict(JT_CONF, token=_jt_tok(FUTURE)),
    "jttok": dict(JT_CONF, token=_jt_tok(PAST)),
})


def _jt_xml_error(status, message, reason):
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n\n<error>\n  <code>%d</code>\n  <message>%s</message>\n'
            '  <reason>%s</reason>\n  <cause></cause>\n  <hostname>dn-093</hostname>\n  <x-id>%d</x-id>\n</error>\n'
            % (status, message, reason, 311257000000 + status))
    return Response(status, body, content_type="application/xml; charset=UTF-8")


def _jt_json_error(status, message, reason):
    return Response(status, {"code": status, "message": message, "cause": "", "error_id": reason,
                             "x-id": str(311257000000 + status)})


def _jt_file_xml(name, deleted=False):
    return ('<file name="%s" uuid="6f1c0a9e-6c7e-4b55-9f0c-8d2a6e0b1c2d"><currentRevision><number>1</number>'
            '<state>COMPLETED</state><created>%s</created><modified>%s</modified><mime>application/octet-stream</mime>'
            '<size>%d</size><md5>%s</md5><updated>%s</updated></currentRevision></file>'
            % (name, JT_T, JT_T, len(DATA), JT_MD5, JT_T))


def _jt_folder_xml(rel):
    kids = JT_TREE[rel]
    name = rel.rsplit("/", 1)[-1] if rel else "Archive"
    tag = "folder" if rel else "mountPoint"
    folders = "".join('<folder name="%s"/>' % k.rsplit("/", 1)[-1] for k in
                      [((rel + "/") if rel else "") + k for k in kids] if JT_TREE.get(k) is not None)
    files = "".join(_jt_file_xml(k) for k in kids if JT_TREE.get(((rel + "/") if rel else "") + k) is None)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<%s name="%s" time="%s" host="dn-093"><path xml:space="preserve">'
            '/%s/Jotta/Archive</path><abspath xml:space="preserve">/%s/Jotta/Archive</abspath>'
            '<folders>%s</folders><files>%s</files><metadata first="" max="" total="%d" num_folders="0" num_files="0"/>'
            '</%s>' % (tag, name, JT_T, JT_USER, JT_USER, folders, files, len(kids), tag))


def _jt_rel(path):
    if not path.startswith(JT_BASE):
        return None
    return path[len(JT_BASE):].strip("/")


def _jt_normal(req, state):
    host, p = req.host, req.path
    if host == "id.jottacloud.com":
        return Response(200, {"access_token": "eyJhbGciOiJSUzI1NiJ9.rcorpus.new", "expires_in": 3600,
                              "refresh_expires_in": 0, "refresh_token": "eyJhbGciOiJIUzI1NiJ9.rcorpus.refresh2",
                              "token_type": "Bearer", "not-before-policy": 0, "session_state": "a1b2c3",
                              "scope": "openid offline_access"})
    if host == "api.jottacloud.com":
        if p.endswith("/account/v1/customer"):
            return Response(200, {"username": JT_USER, "email": "rclone-corpus@example.invalid", "name": "Corpus",
                                  "country_code": "NO", "language_code": "en", "customer_group_code": "JOTTA",
                                  "brand_code": "JOTTA", "account_type": "unlimited", "subscription_type": "ANNUAL",
                                  "usage": 65536, "quota": -1, "business_usage": 0, "business_quota": -1,
                                  "write_locked": False, "read_locked": False, "locked_cause": None})
        if p.endswith("/files/v1/allocate"):
            return Response(200, {"name": "f.bin", "path": "/jfs/Jotta/Archive/dir/f.bin", "state": "CREATED",
                                  "upload_id": "rcorpusupload1", "bytes": len(DATA), "resume_pos": 0,
                                  "upload_url": "https://up-no-004.jottacloud.com/files/v1/upload/rcorpusupload1"})
        return _jt_json_error(404, "Not Found", "NotFound")
    if host == "up-no-004.jottacloud.com":
        return Response(201, {"path": "/" + JT_USER + "/Jotta/Archive/dir/f.bin", "content_id": "rcorpuscontent",
                              "bytes": len(req.body), "md5": hashlib.md5(req.body).hexdigest(),
                              "modified": int(time.time() * 1000)})
    # jfs
    if p.rstrip("/") == "/jfs/" + JT_USER:
        return Response(200, '<?xml version="1.0" encoding="UTF-8"?>\n<user time="%s" host="dn-093"><username>%s'
                        '</username><account-type>unlimited</account-type><locked>false</locked><capacity>-1</capacity>'
                        '<max-devices>-1</max-devices><max-mobile-devices>-1</max-mobile-devices><usage>65536</usage>'
                        '<read-locked>false</read-locked><write-locked>false</write-locked><quota-write-locked>false'
                        '</quota-write-locked><enable-sync>true</enable-sync><enable-foldershare>true'
                        '</enable-foldershare><devices/></user>' % (JT_T, JT_USER), content_type="application/xml")
    rel = _jt_rel(p)
    if rel is None:
        return _jt_xml_error(404, "no.jotta.backup.errors.NoSuchPathException: Directory " + p[4:], "Not Found")
    if req.method == "GET":
        if rel not in JT_TREE:
            return _jt_xml_error(404, "no.jotta.backup.errors.NoSuchPathException: Directory /%s/Jotta/Archive/%s"
                                 % (JT_USER, rel), "Not Found")
        if JT_TREE[rel] is None:
            if req.arg("mode") == "bin":
                return Response(200, DATA, content_type="application/octet-stream")
            return Response(200, '<?xml version="1.0" encoding="UTF-8"?>\n' + _jt_file_xml(rel.rsplit("/", 1)[-1]),
                            content_type="application/xml")
        return Response(200, _jt_folder_xml(rel), content_type="application/xml")
    if req.method == "POST":
        if req.arg("mkDir") == "true":
            return Response(201, '<?xml version="1.0" encoding="UTF-8"?>\n<folder name="%s" time="%s" host="dn-093">'
                            '<path xml:space="preserve">/%s/Jotta/Archive</path></folder>'
                            % (rel.rsplit("/", 1)[-1], JT_T, JT_USER), content_type="application/xml")
        if req.arg("mv") or req.arg("cp"):
            dest = (req.arg("mv") or req.arg("cp")).rsplit("/", 1)[-1]
            return Response(200, '<?xml version="1.0" encoding="UTF-8"?>\n' + _jt_file_xml(dest),
                            content_type="application/xml")
        if req.arg("cphash"):
            return _jt_xml_error(404, "no.jotta.backup.errors.NoSuchFileException: /%s/Jotta/Archive/%s"
                                 % (JT_USER, rel), "Not Found")
        return Response(200, "", content_type="application/xml")
    return _jt_xml_error(405, "Method Not Allowed", "Method Not Allowed")


def _jt_fault(req, fault, rel):
    jfs = req.host == "jfs.jottacloud.com"
    err = _jt_xml_error if jfs else _jt_json_error
    if jfs:
        where = "/%s/Jotta/Archive/%s" % (JT_USER, rel or "")
    elif req.path.endswith("/files/v1/allocate"):
        where = "/%s/Jotta/Archive/dir/f.bin" % JT_USER
    else:
        where = "/" + JT_USER
    if fault == "reset":
        return Reset()
    if fault == "close":
        return Close()
    if fault == "hang":
        return Hang(20)
    if fault == "partial":
        if jfs and req.arg("mode") == "bin":
            return Partial(200, DATA[:5000], declared_length=len(DATA), headers={"Content-Type": "application/octet-stream"})
        ctype = "application/xml" if jfs else "application/json"
        body = (b'<?xml version="1.0" encoding="UTF-8"?>\n<folder name="dir" time="' if jfs
                else b'{"username":"' + JT_USER.encode() + b'","email":"rclone-corpus@')
        return Partial(200, body, declared_length=4096, headers={"Content-Type": ctype})
    if fault == "garbled":
        if jfs:
            return Response(200, b'<?xml version="1.0" encoding="UTF-8"?>\n<folder name="dir"><files><file name="f.bin">'
                            b'<currentRevision><state>COMPL\x00\xff</folder>', content_type="application/xml")
        return Response(200, b'{"username":"' + JT_USER.encode() + b'","email":\x00\xff', content_type="application/json")
    if fault == "html502":
        return Response(502, HTML502, content_type="text/html")
    if fault == "e504":
        return Response(504, HTML504, content_type="text/html")
    if fault == "e401":
        return err(401, "org.springframework.security.authentication.BadCredentialsException: No token or token is "
                   "malformed!", "Unauthorized")
    if fault == "e401_mismatch":
        return err(401, "org.springframework.security.authentication.AuthenticationCredentialsNotFoundException: "
                   "Token mismatch!", "Unauthorized")
    if fault == "e403":
        return err(403, "no.jotta.backup.errors.AccessDeniedException: Access denied to " + where, "Forbidden")
    if fault == "e429":
        return err(429, "no.jotta.backup.errors.TooManyRequestsException: Rate limit exceeded", "Too Many Requests")
    if fault == "e429_retry_after":
        r = err(429, "no.jotta.backup.errors.TooManyRequestsException: Rate limit exceeded", "Too Many Requests")
        r.headers["Retry-After"] = "1"
        return r
    if fault == "e503":
        return err(503, "no.jotta.backup.errors.ServiceUnavailableException: Service temporarily unavailable",
                   "Service Unavailable")
    if fault == "e500":
        return err(500, "java.lang.NullPointerException", "Internal Server Error")
    if fault == "not_found":
        if jfs and rel is not None and JT_TREE.get(rel, 0) is None:
            return err(404, "no.jotta.backup.errors.NoSuchFileException: " + where, "Not Found")
        return err(404, "no.jotta.backup.errors.NoSuchPathException: Directory " + where, "Not Found")
    if fault == "exists":
        return err(409, "no.jotta.backup.errors.PathExistsException: " + where, "Conflict")
    if fault == "bad_name":
        return err(400, "no.jotta.backup.errors.InvalidArgumentException: Invalid file name " + where, "Bad Request")
    if fault == "quota":
        return err(507, "no.jotta.backup.errors.MaxQuotaReachedException: Quota exceeded, storage is full",
                   "Insufficient Storage")
    return None


def _jt_route(req, fault, state):
    ua = req.headers.get("User-Agent", "")
    if req.host == "id.jottacloud.com":
        kc = {"tok_invalid_grant": Response(400, {"error": "invalid_grant", "error_description": "Token is not active"}),
              "tok_invalid_client": Response(401, {"error": "unauthorized_client",
                                                   "error_description": "Invalid client secret"}),
              "tok_500": Response(500, {"error": "unknown_error"}),
              "tok_503": Response(503, HTML502.replace("502 Bad Gateway", "503 Service Temporarily Unavailable"),
                                  content_type="text/html")}
        if fault in kc:
            return kc[fault]
        return _jt_normal(req, state)
    if fault in CERT_MODE or fault.startswith("tok_") or fault == "dir_not_empty":
        return _jt_normal(req, state)
    rel = _jt_rel(req.path) if req.host == "jfs.jottacloud.com" else None
    customer = req.host == "api.jottacloud.com" and req.path.endswith("/account/v1/customer")
    if "rcorpus-init" in ua:
        faulted = customer
    elif "rcorpus-op" in ua:                      # metadata look-ups answer; the operation itself fails
        faulted = not customer and not (req.host == "jfs.jottacloud.com" and req.method == "GET"
                                         and req.arg("mode") != "bin" and rel is not None)
    else:
        faulted = not customer
        if (faulted and req.host == "jfs.jottacloud.com" and req.method == "GET" and rel
                and not state.get("jt_root_done")):
            state["jt_root_done"] = True          # NewFs's look at the root (file or directory?)
            faulted = False
    if faulted:
        ans = _jt_fault(req, fault, rel)
        if ans is not None:
            return ans
    return _jt_normal(req, state)


JT_CMDS = [("lsjson", ["lsjson", "jt:dir"]), ("lsd", ["lsd", "jt:"]), ("about", ["about", "jt:"]),
           ("copyto-up", ["copyto", "{src}", "jt:dir/f.bin"]), ("copyto-down", ["copyto", "jt:dir/f.bin", "{tmp}/f.bin"]),
           ("cat", ["cat", "jt:dir/f.bin"]), ("mkdir", ["mkdir", "jt:newdir"]), ("rmdir", ["rmdir", "jt:empty"]),
           ("deletefile", ["deletefile", "jt:dir/f.bin"]), ("moveto", ["moveto", "jt:dir/f.bin", "jt:dir/g.bin"]),
           ("size", ["size", "jt:dir"]), ("purge", ["purge", "jt:dir"])]
JT_INIT = [("lsd-init", ["lsd", "jt:", "--user-agent", "rcorpus-init"]),
           ("copyto-up-init", ["copyto", "{src}", "jt:dir/f.bin", "--user-agent", "rcorpus-init"])]
JT_OP = [("copyto-down-op", ["copyto", "jt:dir/f.bin", "{tmp}/f.bin", "--user-agent", "rcorpus-op"]),
         ("cat-op", ["cat", "jt:dir/f.bin", "--user-agent", "rcorpus-op"]),
         ("deletefile-op", ["deletefile", "jt:dir/f.bin", "--user-agent", "rcorpus-op"]),
         ("moveto-op", ["moveto", "jt:dir/f.bin", "jt:dir/g.bin", "--user-agent", "rcorpus-op"]),
         ("rmdir-op", ["rmdir", "jt:empty", "--user-agent", "rcorpus-op"]),
         ("purge-op", ["purge", "jt:dir", "--user-agent", "rcorpus-op"])]
JT_TOK = [("lsd", ["lsd", "jttok:"]), ("lsjson", ["lsjson", "jttok:dir"])]
JT_SEMANTIC = {
    "not_found": ["lsjson", "lsd", "copyto-down", "cat", "rmdir", "deletefile", "moveto", "size", "purge",
                  "copyto-down-op", "deletefile-op", "moveto-op"],
    "exists": ["copyto-up", "mkdir", "moveto-op"],
    "bad_name": ["copyto-up", "mkdir", "moveto-op", "lsjson"],
    "quota": ["copyto-up", "mkdir"],
}
_mr_scenarios = scenarios


def scenarios():
    out = _mr_scenarios()
    for fault in FAULTS:
        if fault.startswith("tok_"):
            out += [("jottacloud", "jttok", fault, n, a) for n, a in JT_TOK]
            continue
        if fault == "dir_not_empty":
            out.append(("jottacloud", "jt", fault, "rmdir", ["rmdir", "jt:dir"]))
            continue
        if fault in CERT_MODE:
            out += [("jottacloud", "jt", fault, n, a) for n, a in JT_CMDS[:2]]
            continue
        if fault in ("e401_token", "e401_http", "e403_user"):
            continue                                  # Mail.ru-only answers
        allowed = JT_SEMANTIC.get(fault)
        for n, a in JT_CMDS + JT_OP + (JT_INIT if allowed is None else []):
            if allowed is not None and n not in allowed:
                continue
            out.append(("jottacloud", "jt", fault, n, a))
    return out


# ======================= Citrix ShareFile =======================
# rclone 1.60.1 backend/sharefile: API at <endpoint>/sf/v3 (endpoint = https://<subdomain>.sf-api.com, as the config
# flow builds it from the OAuth answer's subdomain/apicp), token at <endpoint>/oauth/token, file data at the
# storage-center URLs the API hands out (DownloadUrl, ChunkUri). Errors are OData JSON
# {"code":"...","message":{"lang":"en-US","value":"..."},"reason":"..."}; rclone prints "value: code: reason".
# --user-agent picks where the fault goes: default = the operation (root and ByPath look-ups answer);
# "rcorpus-all" = everything after the root-folder call (so ByPath look-ups fail too); "rcorpus-init" = the
# root-folder call NewFs makes.
SF_HOSTS = ("rcorpus.sf-api.com", "storage-eu-7.sharefile.com")
SF_EP = "https://rcorpus.sf-api.com"
SF_ITEMS = {
    "fo1a2b3c4d-root": ("Folder", "Home", None, ["fo5e6f7a8b-dir0", "fo9c0d1e2f-empt"]),
    "fo5e6f7a8b-dir0": ("Folder", "dir", "fo1a2b3c4d-root", ["fi3a4b5c6d-fbin"]),
    "fo9c0d1e2f-empt": ("Folder", "empty", "fo1a2b3c4d-root", []),
    "fi3a4b5c6d-fbin": ("File", "f.bin", "fo5e6f7a8b-dir0", None),
}
SF_REMOTES = {"type": "sharefile", "endpoint": SF_EP}
REMOTES.update({
    "sf": dict(SF_REMOTES, token=_tok(FUTURE)),
    "sftok": dict(SF_REMOTES, token=_tok(PAST)),
})


def _sf_item(iid, name=None):
    kind, nm, parent, kids = SF_ITEMS.get(iid, ("File", name or "g.bin", "fo5e6f7a8b-dir0", None))
    it = {"odata.type": "ShareFile.Api.Models." + kind, "Id": iid, "Name": name or nm, "FileName": name or nm,
          "CreationDate": "2023-11-14T22:13:20Z", "IsHidden": False,
          "url": SF_EP + "/sf/v3/Items(" + iid + ")"}
    if kind == "File":
        it.update({"FileSizeBytes": len(DATA), "Hash": JT_MD5, "ClientModifiedDate": "2023-11-14T22:13:20Z"})
    else:
        it.update({"FileCount": len(kids), "FileSizeBytes": len(DATA) * (1 if kids else 0)})
    return it


def _sf_err(status, code, value, reason=None):
    body = {"code": code, "message": {"lang": "en-US", "value": value}}
    if reason is not None:
        body["reason"] = reason
    return Response(status, body, content_type="application/json; charset=utf-8")


import re as _re
_SF_PATH = _re.compile(r"^/sf/v3/Items(?:\(([^)]*)\))?(?:/(\w+))?$")


def _sf_normal(req, state):
    if req.host == "storage-eu-7.sharefile.com":
        if req.path.endswith("download.ashx"):
            return Response(200, DATA, content_type="application/octet-stream")
        return Response(200, {"error": False, "value": [{"uploadid": "rsu-1", "parentid": "fo5e6f7a8b-dir0",
                              "id": "fi3a4b5c6d-fbin", "streamid": "st-1", "filename": "f.bin",
                              "displayname": "f.bin", "size": len(req.body), "md5": hashlib.md5(req.body).hexdigest()}]})
    if req.path == "/oauth/token":
        return Response(200, {"access_token": "sfcorpusnew", "refresh_token": "sfcorpusrefresh2", "token_type": "bearer",
                              "expires_in": 28800, "appcp": "sharefile.com", "apicp": "sf-api.com",
                              "subdomain": "rcorpus"})
    m = _SF_PATH.match(req.path)
    if not m:
        return _sf_err(404, "NotFound", "Not Found", "NotFound")
    iid, action = m.group(1), m.group(2)
    if iid is None and req.method == "GET":
        return Response(200, _sf_item("fo1a2b3c4d-root"))
    if iid not in SF_ITEMS and not (req.method == "GET" and action is None):
        return _sf_err(404, "NotFound", "Item not found", "NotFound")
    if action == "ByPath":
        leaf = (req.arg("path") or "").strip("/")
        for k in SF_ITEMS[iid][3] or []:
            if SF_ITEMS[k][1] == leaf:
                return Response(200, _sf_item(k))
        return _sf_err(404, "NotFound", "Item not found", "NotFound")
    if action == "Children":
        kids = SF_ITEMS[iid][3] or []
        return Response(200, {"odata.count": len(kids), "value": [_sf_item(k) for k in kids]})
    if action == "Folder":
        name = (req.json() or {}).get("Name", "newdir")
        item = _sf_item("fo9c0d1e2f-empt", name)
        item["Id"] = "fo0000000-new"
        return Response(200, item)
    if action == "Download":
        return Response(200, {"DownloadToken": "dt-rcorpus", "odata.type": "ShareFile.Api.Models.DownloadSpecification",
                              "DownloadUrl": "https://storage-eu-7.sharefile.com/download.ashx?dt=dt-rcorpus"})
    if action == "Upload2":
        return Response(200, {"Method": "Standard", "odata.type": "ShareFile.Api.Models.UploadSpecification",
                              "ChunkUri": "https://storage-eu-7.sharefile.com/upload.aspx?uploadid=rsu-1",
                              "IsResume": False, "ResumeIndex": 0, "ResumeOffset": 0, "MaxNumberOfThreads": 1})
    if req.method == "PATCH":
        name = (req.json() or {}).get("Name") or SF_ITEMS[iid][1]
        return Response(200, _sf_item(iid, name))
    if req.method == "DELETE":
        return Response(204, b"")
    if req.method == "GET":
        if iid not in SF_ITEMS:
            return _sf_err(404, "NotFound", "Item not found", "NotFound")
        return Response(200, _sf_item(iid))
    return _sf_err(400, "BadRequest", "Bad Request", "BadRequest")


def _sf_fault(req, fault):
    storage = req.host == "storage-eu-7.sharefile.com"
    if fault == "reset":
        return Reset()
    if fault == "close":
        return Close()
    if fault == "hang":
        return Hang(20)
    if fault == "partial":
        if storage and req.method == "GET":
            return Partial(200, DATA[:5000], declared_length=len(DATA), headers={"Content-Type": "application/octet-stream"})
        return Partial(200, b'{"odata.metadata":"https://rcorpus.sf-api.com/sf/v3/$metadata#Items","odata.count":2,',
                       declared_length=4096, headers={"Content-Type": "application/json; charset=utf-8"})
    if fault == "garbled":
        return Response(200, b'{"odata.metadata":"https://rcorpus.sf-api.com/sf/v3/$metadata#Items","value":[{"Id":\x00\xff',
                        content_type="application/json; charset=utf-8")
    if fault == "html502":
        return Response(502, HTML502, content_type="text/html")
    if fault == "e504":
        return Response(504, HTML504, content_type="text/html")
    if fault == "e401":
        return _sf_err(401, "Unauthorized", "Authorization has been denied for this request. The access token is "
                       "invalid or has expired.", "Unauthorized")
    if fault == "e401_mismatch":
        return Response(401, b"", headers={"WWW-Authenticate": 'Bearer realm="rcorpus.sharefile.com", '
                                           'error="invalid_token"'})
    if fault == "e403":
        return _sf_err(403, "Forbidden", "You do not have permission to access this item", "Forbidden")
    if fault == "e429":
        return _sf_err(429, "TooManyRequests", "Too many requests. Please try again later.", "TooManyRequests")
    if fault == "e429_retry_after":
        r = _sf_err(429, "TooManyRequests", "Too many requests. Please try again later.", "TooManyRequests")
        r.headers["Retry-After"] = "1"
        return r
    if fault == "e503":
        return _sf_err(503, "ServiceUnavailable", "The service is temporarily unavailable. Please try again later.",
                       "ServiceUnavailable")
    if fault == "e500":
        return _sf_err(500, "InternalServerError", "An error has occurred.", "InternalServerError")
    if fault == "not_found":
        if storage:
            return Response(404, "Not Found", content_type="text/plain")
        return _sf_err(404, "NotFound", "Item not found", "NotFound")
    if fault == "exists":
        return _sf_err(409, "Conflict", "An item with the same name already exists in this folder", "Conflict")
    if fault == "bad_name":
        return _sf_err(400, "BadRequest", "The item name contains invalid characters", "BadRequest")
    if fault == "quota":
        if storage and req.method == "POST":
            return Response(200, {"error": True, "errorMessage": "Upload would exceed the storage quota of this "
                                  "account", "errorCode": 507, "value": None})
        return _sf_err(507, "InsufficientStorage", "This account has exceeded its storage quota",
                       "InsufficientStorage")
    return None


def _sf_route(req, fault, state):
    ua = req.headers.get("User-Agent", "")
    if req.path == "/oauth/token":
        raw = {"tok_invalid_grant": Response(400, {"error": "invalid_grant",
                                                   "error_description": "refresh_token is invalid or expired"}),
               "tok_invalid_client": Response(401, {"error": "invalid_client",
                                                    "error_description": "client_id or client_secret is invalid"}),
               "tok_500": Response(500, {"error": "server_error", "error_description": "An error has occurred."}),
               "tok_503": Response(503, HTML502.replace("502 Bad Gateway", "503 Service Unavailable"),
                                   content_type="text/html")}
        if fault in raw:
            return raw[fault]
        return _sf_normal(req, state)
    if fault in CERT_MODE or fault.startswith("tok_") or fault == "dir_not_empty":
        return _sf_normal(req, state)
    root_call = req.host == "rcorpus.sf-api.com" and req.path == "/sf/v3/Items" and req.method == "GET"
    bypath = req.path.endswith("/ByPath") and req.method == "GET"
    if "rcorpus-init" in ua:
        faulted = root_call
    elif "rcorpus-all" in ua:
        faulted = not root_call
    else:
        faulted = not root_call and not bypath
        # the readMetaData of a file by id (after upload) and by path is the operation for copyto/deletefile
    if faulted:
        ans = _sf_fault(req, fault)
        if ans is not None:
            return ans
    return _sf_normal(req, state)


SF_CMDS = [("lsjson", ["lsjson", "sf:dir"]), ("lsd", ["lsd", "sf:"]),
           ("copyto-up", ["copyto", "{src}", "sf:dir/f.bin"]), ("copyto-down", ["copyto", "sf:dir/f.bin", "{tmp}/f.bin"]),
           ("cat", ["cat", "sf:dir/f.bin"]), ("mkdir", ["mkdir", "sf:newdir"]), ("rmdir", ["rmdir", "sf:empty"]),
           ("deletefile", ["deletefile", "sf:dir/f.bin"]), ("moveto", ["moveto", "sf:dir/f.bin", "sf:dir/g.bin"]),
           ("size", ["size", "sf:dir"]), ("purge", ["purge", "sf:dir"])]
SF_ALL = [("lsjson-all", ["lsjson", "sf:dir", "--user-agent", "rcorpus-all"]),
          ("copyto-down-all", ["copyto", "sf:dir/f.bin", "{tmp}/f.bin", "--user-agent", "rcorpus-all"])]
SF_INIT = [("lsd-init", ["lsd", "sf:", "--user-agent", "rcorpus-init"])]
SF_TOK = [("lsd", ["lsd", "sftok:"]), ("lsjson", ["lsjson", "sftok:dir"])]
SF_SEMANTIC = {
    "not_found": ["lsjson", "lsd", "copyto-down", "cat", "rmdir", "deletefile", "moveto", "size", "purge",
                  "lsjson-all", "copyto-down-all"],
    "exists": ["copyto-up", "mkdir", "moveto"],
    "bad_name": ["copyto-up", "mkdir", "moveto"],
    "quota": ["copyto-up", "mkdir"],
}
SF_LIGHT_FAULTS = {"e401_mismatch", "reset", "close", "hang", "partial", "garbled", "html502", "e504"}
SF_LIGHT_CMDS = ["lsjson", "copyto-up", "copyto-down", "moveto", "copyto-down-all", "lsd-init"]
_mrjt_scenarios = scenarios


def scenarios():
    out = _mrjt_scenarios()
    for fault in FAULTS:
        if fault.startswith("tok_"):
            out += [("sharefile", "sftok", fault, n, a) for n, a in SF_TOK]
            continue
        if fault == "dir_not_empty":
            out.append(("sharefile", "sf", fault, "rmdir", ["rmdir", "sf:dir"]))
            continue
        if fault in CERT_MODE:
            out += [("sharefile", "sf", fault, n, a) for n, a in SF_CMDS[:2]]
            continue
        if fault in ("e401_token", "e401_http", "e403_user"):
            continue
        allowed = SF_SEMANTIC.get(fault)
        if fault in SF_LIGHT_FAULTS:       # transport faults: fewer commands (their texts differ only by wrapper)
            allowed = SF_LIGHT_CMDS
        for n, a in SF_CMDS + SF_ALL + (SF_INIT if fault not in SF_SEMANTIC else []):
            if allowed is not None and n not in allowed:
                continue
            if allowed is None and n == "rmdir":
                continue                   # "purgeCheck: couldn't list files: ..." repeats lsjson's text
            out.append(("sharefile", "sf", fault, n, a))
    return out


def override(message, fault, code):
    """Rows whose printed text no longer carries the injected fault."""
    import re
    if re.search(r"(mkdir|add file|move file) (failed with )?error -1\b", message) or "mkdir error -1" in message:
        return "unknown", ("Mail.ru binary-protocol reply was cut or empty; rclone prints only the status it read (-1), "
                           "nothing of the %s fault" % fault)
    if re.search(r"move file failed with error \d+", message):
        return "unknown", ("Mail.ru binary rename answered status %s; rclone prints only the number, not that the "
                           "target exists" % re.search(r"error (\d+)", message).group(1))
    if re.search(r"(mkdir|add file) error \d+", message):
        return "unknown", "Mail.ru binary-protocol status number only; the text does not carry the fault"
    return code, None
