"""Google group: Google Drive (drive v3, www.googleapis.com) and Google Cloud Storage (JSON API v1,
storage.googleapis.com), as rclone 1.60.1 calls them, with the OAuth token endpoint (oauth2.googleapis.com) faked too.

Each scenario passes `--user-agent rcmd-corpus/<target>`: the route reads it to know which request is the operation
under test (list, upload, download, mkdir, rmdir, delete, move, about, purge, start), answers every other request as
the real service would, and injects the fault only on the target. Token faults use the *_exp remotes, whose access
token has expired, so the first thing rclone does is refresh it at the token endpoint, which fails.

Error bodies follow Google's JSON error format ({"error": {"code", "message", "errors": [{domain, reason, message,
location, locationType}], "status"}}) with the reasons and wordings that the Drive API's "Resolve errors" guide and the
Cloud Storage JSON API's "HTTP status and error codes" page document. They were written for these fakes, not captured
from real servers."""
import base64, hashlib, json, re, time, urllib.parse

from mitm import Close, Hang, Partial, Raw, Reset, Response

FUTURE, PAST = "2099-01-01T00:00:00Z", "2020-01-01T00:00:00Z"


def _token(expiry):
    return json.dumps({"access_token": "ya29.a0AfB_byFakeCorpusToken", "token_type": "Bearer",
                       "refresh_token": "1//0gFakeCorpusRefreshToken", "expiry": expiry}, separators=(",", ":"))


_DRIVE = {"type": "drive", "client_id": "202264815644-corpus.apps.googleusercontent.com",
          "client_secret": "GOCSPX-corpusfakesecret", "scope": "drive"}
_GCS = {"type": "google cloud storage", "client_id": "202264815644-corpus.apps.googleusercontent.com",
        "client_secret": "GOCSPX-corpusfakesecret", "project_number": "123456789012", "bucket_policy_only": "true"}
REMOTES = {
    "gdrive": dict(_DRIVE, token=_token(FUTURE)),
    "gdrive_exp": dict(_DRIVE, token=_token(PAST)),
    "gcs": dict(_GCS, token=_token(FUTURE)),
    "gcs_exp": dict(_GCS, token=_token(PAST)),
    "gphotos": {"type": "google photos", "client_id": "202264815644-corpus.apps.googleusercontent.com",
                "client_secret": "GOCSPX-corpusfakesecret", "token": _token(FUTURE)},
    "gphotos_exp": {"type": "google photos", "client_id": "202264815644-corpus.apps.googleusercontent.com",
                    "client_secret": "GOCSPX-corpusfakesecret", "token": _token(PAST)},
}


def _service_account():
    """A service-account key file's JSON, with a fresh RSA key (never used outside this fake)."""
    import subprocess
    key = subprocess.run(["openssl", "genrsa", "2048"], capture_output=True, text=True, check=True).stdout
    return json.dumps({"type": "service_account", "project_id": "corpus-project-4711", "private_key_id": "0f1e2d3c4b5a",
                       "private_key": key, "client_email": SA, "client_id": "109876543210987654321",
                       "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                       "token_uri": "https://oauth2.googleapis.com/token"}, separators=(",", ":"))


SA = "rclone-backup@corpus-project-4711.iam.gserviceaccount.com"
_SA_JSON = _service_account()
_SA_GARBLED = '{"type":"service_account","project_id":"corpus-project-4711","private_key_id":"0f1e2d3c4b5a","private_key":"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC'
for _b, _base in (("gdrive", _DRIVE), ("gcs", _GCS)):
    REMOTES[_b + "_sa"] = dict(_base, service_account_credentials=_SA_JSON)
    REMOTES[_b + "_sa_missing"] = dict(_base, service_account_file="/etc/rclone/corpus-sa-key.json")
    REMOTES[_b + "_sa_garbled"] = dict(_base, service_account_credentials=_SA_GARBLED)
TEAM_DRIVE = "0ACorpusSharedDrive9PVA"
REMOTES["gdrive_td"] = dict(REMOTES["gdrive"], team_drive=TEAM_DRIVE)
REMOTES["gcs_acl"] = dict(REMOTES["gcs"], bucket_policy_only="false", object_acl="private", bucket_acl="private")
REMOTES["gcs_noproj"] = {k: v for k, v in REMOTES["gcs"].items() if k != "project_number"}

# ---------------------------------------------------------------------------------------------------------------
# Faults and their codes (labelling-brief.md), fixed before any rclone run.
FAULTS = {
    # credentials
    "auth_401": "invalid_credentials",          # authError / Invalid Credentials on the operation
    "start_auth_401": "invalid_credentials",    # the same on the first call (file system creation)
    "login_required_401": "invalid_credentials",  # GCS: reason "required", "Login Required"
    "token_invalid_grant": "invalid_credentials",
    "token_invalid_client": "invalid_credentials",
    "token_unauthorized_client": "invalid_credentials",
    "token_500": "unknown",                     # token endpoint 500: none of the codes (a server fault)
    "token_503": "rate_limited",                # token endpoint 503 Service Unavailable
    # service accounts and config
    "sa_file_missing": "invalid_credentials",   # service_account_file does not exist
    "sa_garbled": "invalid_credentials",        # service_account_credentials is not a usable key
    "sa_invalid_jwt": "invalid_credentials",    # token endpoint: invalid_grant "Invalid JWT Signature."
    "sa_account_not_found": "invalid_credentials",  # token endpoint: invalid_grant "Invalid grant: account not found"
    "sa_clock_skew": "request_time_skewed",     # token endpoint: "Invalid JWT: Token must be a short-lived token ..."
    "no_project_number": "validation_error",    # GCS remote without project_number: lsd / mkdir of a bucket
    # more of the providers' own answers
    "quota_metric_403": "rate_limited",         # Drive: Quota exceeded for quota metric 'Queries' ... (rateLimitExceeded)
    "shared_drive_not_found": "not_found",      # Drive team_drive remote: Shared drive not found: <id>
    "ubla_legacy_acl": "conflict",              # GCS: legacy ACL refused, uniform bucket-level access is on
    "retention_403": "conflict",                # GCS retentionPolicyNotMet: object locked until a date
    "account_disabled_403": "access_denied",    # GCS accountDisabled: billing account disabled
    "album_not_writeable": "access_denied",     # Photos: upload to an album rclone did not create
    # permissions
    "forbidden_403": "access_denied",           # Drive insufficientFilePermissions / GCS forbidden (IAM permission)
    "start_forbidden_403": "access_denied",
    "scope_403": "access_denied",               # insufficientPermissions: Request had insufficient authentication scopes
    "app_not_authorized_403": "access_denied",  # Drive appNotAuthorizedToFile
    "domain_policy_403": "access_denied",       # Drive domainPolicy
    "abusive_403": "access_denied",             # Drive cannotDownloadAbusiveFile (download only)
    # rate limits and unavailability
    "user_rate_403": "rate_limited",            # Drive userRateLimitExceeded (usageLimits)
    "rate_403": "rate_limited",                 # Drive rateLimitExceeded as a 403
    "rate_429": "rate_limited",                 # 429 rateLimitExceeded, with Retry-After
    "rate_429_no_retry_after": "rate_limited",
    "upload_limit_403": "rate_limited",         # Drive's daily upload limit, with --drive-stop-on-upload-limit
    "download_quota_403": "rate_limited",       # Drive downloadQuotaExceeded (download only)
    "unavailable_503": "rate_limited",
    "start_unavailable_503": "rate_limited",
    "internal_500": "unknown",                  # Drive backendError "Backend Error" (GCS: see internal_500_gcs)
    "internal_500_gcs": "rate_limited",         # GCS 500 "We encountered an internal error. Please try again."
    # not found, conflicts, bad parameters
    "not_found_404": "not_found",
    "start_not_found_404": "not_found",
    "precondition_412": "conflict",             # conditionNotMet
    "bucket_exists_409": "conflict",            # GCS: you already own it
    "bucket_name_taken_409": "conflict",        # GCS: name not available (its text also says "try again")
    "bucket_not_empty_409": "conflict",         # GCS: The bucket you tried to delete is not empty.
    "not_downloadable_403": "conflict",         # Drive fileNotDownloadable: a Docs file cannot be downloaded as bytes
    "invalid_400": "validation_error",          # reason invalid
    "required_400": "validation_error",         # GCS requester-pays bucket without a user project (reason required)
    # quota
    "storage_quota_403": "unknown",             # Drive storageQuotaExceeded
    "teamdrive_limit_403": "unknown",           # Drive teamDriveFileLimitExceeded
    # transport
    "bad_gateway_502": "network_error",
    "gateway_timeout_504": "upstream_timeout",
    "reset": "network_error",
    "close": "network_error",
    "hang": "upstream_timeout",
    "partial": "network_error",
    "garbled_json": "unknown",                  # 200 with a body that is not JSON (an HTML page)
    "tls_self_signed": "network_error",
    "tls_expired": "network_error",
    "tls_wrong_host": "network_error",
}
CERT_MODE = {"tls_self_signed": "self_signed", "tls_expired": "expired", "tls_wrong_host": "wrong_host"}

# ---------------------------------------------------------------------------------------------------------------
# Commands: (name, argv template with {R} for the remote, target)
DRIVE_CMDS = {
    "lsjson": (["lsjson", "{R}:dir"], "list"),
    "lsd": (["lsd", "{R}:"], "list"),
    "upload": (["copyto", "{src}", "{R}:dir/up.bin"], "upload"),
    "download": (["copyto", "{R}:dir/f.bin", "{tmp}/f.bin"], "download"),
    "cat": (["cat", "{R}:dir/f.bin"], "download"),
    "mkdir": (["mkdir", "{R}:newdir"], "mkdir"),
    "rmdir": (["rmdir", "{R}:empty"], "rmdir"),
    "deletefile": (["deletefile", "{R}:dir/f.bin"], "delete"),
    "moveto": (["moveto", "{R}:dir/f.bin", "{R}:dir/g.bin"], "move"),
    "size": (["size", "{R}:dir"], "list"),
    "about": (["about", "{R}:"], "about"),
    "purge": (["purge", "{R}:dir"], "purge"),
}
GCS_CMDS = {
    "lsjson": (["lsjson", "{R}:bkt/dir"], "list"),
    "lsd": (["lsd", "{R}:"], "list"),
    "upload": (["copyto", "{src}", "{R}:bkt/dir/up.bin"], "upload"),
    "download": (["copyto", "{R}:bkt/dir/f.bin", "{tmp}/f.bin"], "download"),
    "cat": (["cat", "{R}:bkt/dir/f.bin"], "download"),
    "mkdir": (["mkdir", "{R}:new-bkt"], "mkdir"),
    "rmdir": (["rmdir", "{R}:empty-bkt"], "rmdir"),
    "deletefile": (["deletefile", "{R}:bkt/dir/f.bin"], "delete"),
    "moveto": (["moveto", "{R}:bkt/dir/f.bin", "{R}:bkt/dir/g.bin"], "move"),
    "size": (["size", "{R}:bkt/dir"], "list"),
}
PHOTOS_CMDS = {
    "lsd": (["lsd", "{R}:album"], "list"),
    "lsjson": (["lsjson", "{R}:album/Holiday"], "search"),
    "upload": (["copyto", "{src}", "{R}:album/Holiday/up.jpg"], "upload"),
    "download": (["copyto", "{R}:album/Holiday/f.jpg", "{tmp}/f.jpg"], "download"),
    "mkdir": (["mkdir", "{R}:album/NewAlbum"], "mkdir"),
}
START_CMDS = ["lsjson", "lsd", "upload", "download", "mkdir"]

ALL = None  # every command
GENERIC = ["auth_401", "forbidden_403", "rate_429", "unavailable_503", "bad_gateway_502", "gateway_timeout_504",
           "reset", "close", "hang", "tls_self_signed", "tls_expired", "tls_wrong_host"]
DRIVE_FAULTS = {f: ALL for f in GENERIC + ["user_rate_403", "rate_403", "internal_500", "scope_403"]}
DRIVE_FAULTS.update({
    "not_found_404": [c for c in DRIVE_CMDS if c != "about"],
    "start_auth_401": START_CMDS, "start_forbidden_403": START_CMDS, "start_unavailable_503": START_CMDS,
    "start_not_found_404": ["lsjson", "mkdir"],
    "token_invalid_grant": ["lsd", "upload", "about"], "token_invalid_client": ["lsd", "cat"],
    "token_unauthorized_client": ["lsd"], "token_500": ["lsd", "download"], "token_503": ["lsd", "mkdir"],
    "rate_429_no_retry_after": ["lsjson", "upload", "download"],
    "app_not_authorized_403": ["upload", "download", "deletefile", "moveto", "mkdir"],
    "domain_policy_403": ["lsd", "upload", "about"],
    "abusive_403": ["download", "cat"], "not_downloadable_403": ["download", "cat"],
    "download_quota_403": ["download", "cat"],
    "upload_limit_403": ["upload"],
    "storage_quota_403": ["upload", "mkdir", "moveto"], "teamdrive_limit_403": ["upload", "mkdir"],
    "precondition_412": ["upload", "moveto", "deletefile", "rmdir"],
    "invalid_400": ["lsjson", "lsd", "upload", "mkdir", "moveto"],
    "partial": ["download", "cat", "lsjson", "lsd"], "garbled_json": ["lsjson", "lsd", "about", "upload"],
})
SA_FAULTS = {"sa_file_missing": ["lsd", "upload"], "sa_garbled": ["lsd", "download"],
             "sa_invalid_jwt": ["lsd", "upload"], "sa_account_not_found": ["lsd", "mkdir"],
             "sa_clock_skew": ["lsd", "download"]}
DRIVE_FAULTS.update(SA_FAULTS)
GCS_FAULTS = {f: ALL for f in GENERIC + ["internal_500_gcs", "not_found_404"]}
GCS_FAULTS.update(SA_FAULTS)
GCS_FAULTS["no_project_number"] = ["lsd", "mkdir"]
DRIVE_FAULTS.update({"quota_metric_403": ["lsjson", "upload", "download", "deletefile"],
                     "shared_drive_not_found": ["lsd", "about", "mkdir"]})
GCS_FAULTS.update({"ubla_legacy_acl": ["upload", "moveto"], "retention_403": ["deletefile", "moveto"],
                   "account_disabled_403": ["lsjson", "upload", "download", "mkdir"]})
GCS_FAULTS.update({
    "start_auth_401": ["lsjson", "upload", "download"], "start_forbidden_403": ["lsjson", "upload", "download"],
    "start_unavailable_503": ["lsjson", "download"],
    "login_required_401": ["lsd", "lsjson", "upload"],
    "token_invalid_grant": ["lsd", "lsjson", "upload"], "token_invalid_client": ["lsd", "cat"],
    "token_unauthorized_client": ["lsd"], "token_500": ["lsd", "download"], "token_503": ["lsd", "mkdir"],
    "rate_429_no_retry_after": ["upload", "deletefile", "mkdir"],
    "bucket_exists_409": ["mkdir"], "bucket_name_taken_409": ["mkdir"], "bucket_not_empty_409": ["rmdir"],
    "precondition_412": ["upload", "deletefile", "moveto"],
    "invalid_400": ["mkdir", "upload", "lsjson"], "required_400": ["lsjson", "upload", "download", "deletefile"],
    "partial": ["download", "cat", "lsjson", "lsd"], "garbled_json": ["lsjson", "lsd", "upload"],
})

PHOTOS_FAULTS = {f: ALL for f in ["auth_401", "scope_403", "forbidden_403", "rate_429", "unavailable_503",
                                  "internal_500", "not_found_404", "reset", "close", "hang", "bad_gateway_502",
                                  "gateway_timeout_504", "tls_self_signed"]}
PHOTOS_FAULTS.update({"invalid_400": ["lsjson", "upload", "mkdir"], "token_invalid_grant": ["lsd", "upload"],
                      "token_503": ["lsd"], "garbled_json": ["lsd", "lsjson"], "partial": ["download", "lsd"],
                      "album_not_writeable": ["upload"]})


def scenarios():
    out = []
    for backend, remote, cmds, faults in (("drive", "gdrive", DRIVE_CMDS, DRIVE_FAULTS),
                                          ("gcs", "gcs", GCS_CMDS, GCS_FAULTS),
                                          ("photos", "gphotos", PHOTOS_CMDS, PHOTOS_FAULTS)):
        for fault, names in faults.items():
            for name in (names or list(cmds)):
                if name not in cmds:
                    continue
                argv, target = cmds[name]
                if fault.startswith("start_"):
                    target = "start"
                r = remote + "_exp" if fault.startswith("token_") else remote
                if fault.startswith("sa_"):
                    r = remote + {"sa_file_missing": "_sa_missing", "sa_garbled": "_sa_garbled"}.get(fault, "_sa")
                if fault == "no_project_number":
                    r = "gcs_noproj"
                if fault == "shared_drive_not_found":
                    r = "gdrive_td"
                if fault == "ubla_legacy_acl":
                    r = "gcs_acl"
                full = [a.replace("{R}", r) for a in argv]
                if fault == "retention_403" and name == "moveto":
                    target = "delete"  # GCS moves by rewrite, then delete: the delete is refused
                full += ["--user-agent", f"rcmd-corpus/{target}"]
                if fault == "upload_limit_403":
                    full.append("--drive-stop-on-upload-limit")
                out.append((backend, r, fault, name, full))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Google's error bodies


def gerr(code, reason, message, domain="global", status=None, top=None, location=None, location_type=None):
    item = {"message": message, "domain": domain, "reason": reason}
    if location:
        item["location"], item["locationType"] = location, location_type or "parameter"
    body = {"error": {"code": code, "message": top or message, "errors": [item]}}
    if status:
        body["error"]["status"] = status
    return Response(code, body, content_type="application/json; charset=UTF-8",
                    headers={"Vary": "Origin, X-Origin, Referer", "Server": "ESF"})


GOOGLE_HTML = ("<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <meta name=viewport content=\"initial-scale=1, "
               "minimum-scale=1, width=device-width\">\n  <title>Error {code} ({title})!!1</title>\n  <a href=//www.google.com/>"
               "<span id=logo aria-label=Google></span></a>\n  <p><b>{code}.</b> <ins>That\u2019s an error.</ins>\n  <p>{text}  "
               "<ins>That\u2019s all we know.</ins>\n")


def html(code, title, text):
    return Response(code, GOOGLE_HTML.format(code=code, title=title, text=text), content_type="text/html; charset=UTF-8")


def token_fault(fault):
    if fault == "sa_invalid_jwt":
        return Response(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
    if fault == "sa_account_not_found":
        return Response(400, {"error": "invalid_grant", "error_description": "Invalid grant: account not found"})
    if fault == "sa_clock_skew":
        return Response(400, {"error": "invalid_grant", "error_description":
                              "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
                              "Check your iat and exp values in the JWT claim."})
    if fault == "token_invalid_grant":
        return Response(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
    if fault == "token_invalid_client":
        return Response(401, {"error": "invalid_client", "error_description": "The OAuth client was not found."})
    if fault == "token_unauthorized_client":
        return Response(400, {"error": "unauthorized_client", "error_description": "Unauthorized"})
    if fault == "token_500":
        return html(500, "Server Error", "There was an error. Please try again later.")
    if fault == "token_503":
        return html(503, "Service Unavailable", "The service you requested is not available at this time.")
    return None


PERMS = {"list": "storage.objects.list", "upload": "storage.objects.create", "download": "storage.objects.get",
         "delete": "storage.objects.delete", "move": "storage.objects.create", "mkdir": "storage.buckets.create",
         "rmdir": "storage.buckets.delete", "start": "storage.objects.get"}


def fault_answer(backend, fault, target, req, ident):
    """The answer for a fault on the target request; ident names the file/object/bucket it is about."""
    f = fault[len("start_"):] if fault.startswith("start_") else fault
    drive = backend == "drive"
    if f == "auth_401":
        if drive:
            return gerr(401, "authError", "Invalid Credentials", status="UNAUTHENTICATED", location="Authorization",
                        location_type="header",
                        top="Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
                            "or other valid authentication credential. See "
                            "https://developers.google.com/identity/sign-in/web/devconsole-project.")
        return gerr(401, "authError", "Invalid Credentials", location="Authorization", location_type="header")
    if f == "login_required_401":
        return gerr(401, "required", "Login Required", location="Authorization", location_type="header")
    if f == "forbidden_403":
        if drive:
            return gerr(403, "insufficientFilePermissions",
                        "The user does not have sufficient permissions for this file.")
        perm = PERMS.get(target, "storage.objects.get")
        what = "Google Cloud project" if perm.startswith("storage.buckets.create") else "Google Cloud Storage bucket"
        if perm == "storage.objects.get" or perm == "storage.objects.delete":
            what = "Google Cloud Storage object"
        return gerr(403, "forbidden", f"{SA} does not have {perm} access to the {what}. Permission '{perm}' denied on "
                                      "resource (or it may not exist).")
    if f == "quota_metric_403":
        return gerr(403, "rateLimitExceeded", "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute "
                    "per user' of service 'drive.googleapis.com' for consumer 'project_number:202264815644'.",
                    domain="usageLimits", status="PERMISSION_DENIED")
    if f == "shared_drive_not_found":
        return gerr(404, "notFound", f"Shared drive not found: {TEAM_DRIVE}", location="driveId")
    if f == "ubla_legacy_acl":
        return gerr(400, "invalid", "Cannot insert legacy ACL for an object when uniform bucket-level access is enabled. "
                                    "Read more at https://cloud.google.com/storage/docs/uniform-bucket-level-access")
    if f == "retention_403":
        return gerr(403, "retentionPolicyNotMet", f"Object '{ident}' is subject to bucket's retention policy or object "
                    "retention and cannot be deleted or overwritten until 2027-05-01T10:00:00.000000-07:00")
    if f == "account_disabled_403":
        return gerr(403, "accountDisabled", "The billing account for the owning project is disabled in state closed")
    if f == "scope_403":
        return gerr(403, "insufficientPermissions", "Insufficient Permission", status="PERMISSION_DENIED",
                    top="Request had insufficient authentication scopes.")
    if f == "app_not_authorized_403":
        verb = "read" if target in ("download", "list") else "write"
        return gerr(403, "appNotAuthorizedToFile",
                    f"The user has not granted the app 202264815644 {verb} access to the file {ident}.",
                    location="Authorization", location_type="header")
    if f == "domain_policy_403":
        return gerr(403, "domainPolicy", "The domain administrators have disabled Drive apps.")
    if f == "abusive_403":
        return gerr(403, "cannotDownloadAbusiveFile",
                    "This file has been identified as malware or spam and cannot be downloaded.")
    if f == "not_downloadable_403":
        return gerr(403, "fileNotDownloadable",
                    "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
                    location="alt", location_type="parameter")
    if f == "download_quota_403":
        return gerr(403, "downloadQuotaExceeded",
                    "The download quota for this file has been exceeded.")
    if f == "user_rate_403":
        return gerr(403, "userRateLimitExceeded", "User Rate Limit Exceeded", domain="usageLimits")
    if f == "upload_limit_403":
        return gerr(403, "userRateLimitExceeded", "User rate limit exceeded.", domain="usageLimits")
    if f == "rate_403":
        return gerr(403, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits")
    if f in ("rate_429", "rate_429_no_retry_after"):
        if drive:
            r = gerr(429, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits", status="RESOURCE_EXHAUSTED")
        elif target in ("mkdir", "rmdir"):
            r = gerr(429, "rateLimitExceeded", "The project exceeded the rate limit for creating and deleting buckets.",
                     domain="usageLimits")
        else:
            r = gerr(429, "rateLimitExceeded",
                     "The object exceeded the rate limit for object mutation operations (create, update, and delete). "
                     "Please reduce your request rate. See https://cloud.google.com/storage/docs/gcs429.",
                     domain="usageLimits")
        if f == "rate_429":
            r.headers["Retry-After"] = "1"
        return r
    if f == "unavailable_503":
        if drive:
            return gerr(503, "backendError", "The service is currently unavailable.", status="UNAVAILABLE")
        return gerr(503, "backendError", "We encountered an internal error. Please try again.")
    if f == "internal_500":
        return gerr(500, "backendError", "Backend Error")
    if f == "internal_500_gcs":
        return gerr(500, "backendError", "We encountered an internal error. Please try again.")
    if f == "not_found_404":
        if drive:
            return gerr(404, "notFound", f"File not found: {ident}.", location="fileId", location_type="parameter")
        if target in ("list", "mkdir", "rmdir", "start", "upload") and "/o/" not in req.raw_path:
            return gerr(404, "notFound", "The specified bucket does not exist.")
        return gerr(404, "notFound", f"No such object: {ident}")
    if f == "precondition_412":
        if drive:
            return gerr(412, "conditionNotMet", "Precondition Failed", location="If-Match", location_type="header")
        return gerr(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.",
                    location="If-Match", location_type="header")
    if f == "bucket_exists_409":
        return gerr(409, "conflict", "Your previous request to create the named bucket succeeded and you already own it.")
    if f == "bucket_name_taken_409":
        return gerr(409, "conflict", "The requested bucket name is not available. The bucket namespace is shared by all "
                                     "users of the system. Please select a different name and try again.")
    if f == "bucket_not_empty_409":
        return gerr(409, "conflict", "The bucket you tried to delete is not empty.")
    if f == "invalid_400":
        if drive:
            if target == "list":
                return gerr(400, "invalid", "Invalid Value", location="q", location_type="parameter")
            if target == "move":
                return gerr(400, "invalid", "Invalid field selection name", location="fields")
            return gerr(400, "invalid", "Invalid Value", location="parents", location_type="other")
        if target == "mkdir":
            return gerr(400, "invalid", "Invalid bucket name: 'new-bkt'")
        if target == "list":
            return gerr(400, "invalid", "Invalid argument.")
        return gerr(400, "invalid", "The specified object name is not valid.")
    if f == "required_400":
        return gerr(400, "required", "Bucket is a requester pays bucket but no user project provided.")
    if f == "storage_quota_403":
        return gerr(403, "storageQuotaExceeded", "The user's Drive storage quota has been exceeded.")
    if f == "teamdrive_limit_403":
        return gerr(403, "teamDriveFileLimitExceeded", "The file limit for this shared drive has been exceeded.")
    if f == "bad_gateway_502":
        return html(502, "Server Error", "The server encountered a temporary error and could not complete your request."
                                         "<p>Please try again in 30 seconds.")
    if f == "gateway_timeout_504":
        return html(504, "Gateway Timeout", "The server did not respond in time.")
    if f == "reset":
        return Reset()
    if f == "close":
        return Close()
    if f == "hang":
        return Hang(20)
    if f == "partial":
        return None  # handled by the normal answer (it needs the body)
    if f == "garbled_json":
        return Response(200, "<html><head><title>Sign in - Google Accounts</title></head><body>Redirecting...</body></html>",
                        content_type="text/html; charset=UTF-8")
    if f.startswith("tls_"):
        return None  # the certificate is the fault
    raise ValueError(f"no answer for {fault}")


# ---------------------------------------------------------------------------------------------------------------
# The fakes' data

def _content(seed):
    return hashlib.sha256(seed.encode()).hexdigest().encode() * 1024  # 64 KiB of ASCII (run.py decodes stdout as text)


ROOT = "0AKf8cOrPusRootUk9PVA"
DRIVE_INIT = {
    "1aDirFolderCorpusId01": {"name": "dir", "parents": [ROOT], "folder": True},
    "1bEmptyFolderCorpus02": {"name": "empty", "parents": [ROOT], "folder": True},
    "1cFileBinCorpusId0003": {"name": "f.bin", "parents": ["1aDirFolderCorpusId01"], "data": _content("f.bin")},
}
MTIME = "2024-05-01T10:00:00.000Z"
FOLDER = "application/vnd.google-apps.folder"


def drive_file(fid, f):
    d = {"kind": "drive#file", "id": fid, "name": f["name"], "parents": f["parents"], "modifiedTime": MTIME,
         "createdTime": MTIME, "trashed": False, "mimeType": FOLDER if f.get("folder") else "application/octet-stream",
         "capabilities": {"canTrash": True, "canDelete": True, "canEdit": True}}
    if not f.get("folder"):
        d.update(size=str(len(f["data"])), md5Checksum=hashlib.md5(f["data"]).hexdigest(), version="1")
    return d


def _multipart(req):
    """(metadata dict, media bytes) from a multipart/related upload."""
    ctype = req.headers.get("Content-Type", "")
    m = re.search(r'boundary="?([^";]+)"?', ctype)
    if not m:
        return req.json() or {}, b""
    parts = req.body.split(b"--" + m.group(1).encode())
    meta, data = {}, b""
    bodies = []
    for p in parts[1:]:
        if p.startswith(b"--"):
            break
        head, _, body = p.partition(b"\r\n\r\n")
        bodies.append(body[:-2] if body.endswith(b"\r\n") else body)
    if bodies:
        try:
            meta = json.loads(bodies[0] or b"{}")
        except ValueError:
            meta = {}
    if len(bodies) > 1:
        data = bodies[1]
    return meta, data


def drive_route(req, fault, state, target):
    files = state.setdefault("drive", {k: dict(v) for k, v in DRIVE_INIT.items()})
    p = req.path
    is_target = False
    ident = None
    # classify the request
    m = re.match(r"^/(upload/)?drive/v3/files(?:/([^/]+))?$", p)
    if p.startswith("/drive/v3/drives/"):
        is_target = target == "about"
        if is_target and fault:
            return fault_answer("drive", fault, target, req, TEAM_DRIVE)
        return Response(200, {"kind": "drive#drive", "id": TEAM_DRIVE, "name": "Corpus Shared", "createdTime": MTIME,
                              "capabilities": {"canAddChildren": True}, "restrictions": {}})
    if p == "/drive/v3/about":
        is_target = target == "about"
        kind = "about"
    elif m and m.group(2) == "root" and req.method == "GET":
        kind, is_target = "root", target == "start"
        ident = "root"
    elif m and not m.group(2) and req.method == "GET":
        q = req.arg("q", "")
        kind = "list"
        is_target = target == "list" and "name=" not in q
        ids = re.findall(r"'([^']+)' in parents", q)
        ident = ids[0] if ids else ROOT
    elif m and not m.group(2) and req.method == "POST":
        kind = "upload" if m.group(1) else "create"
        is_target = target == ("upload" if m.group(1) else "mkdir")
        meta = _multipart(req)[0] if m.group(1) else (req.json() or {})
        ident = (meta.get("parents") or [ROOT])[0]  # Drive names the missing parent folder
    elif m and m.group(2) and req.method == "GET":
        kind = "media" if req.arg("alt") == "media" else "get"
        is_target = target == "download" and kind == "media"
        ident = m.group(2)
    elif m and m.group(2) and req.method in ("PATCH", "DELETE"):
        kind = "update" if req.method == "PATCH" else "delete"
        ident = m.group(2)
        is_target = target in ("rmdir", "delete", "move", "purge") and not m.group(1)
    else:
        kind = "other"
    if is_target and fault:
        ans = fault_answer("drive", fault, target, req, ident)
        if ans is not None:
            return ans
    partial = is_target and fault == "partial"
    garbled = False
    # the normal answers
    if kind == "about":
        return Response(200, {"kind": "drive#about", "storageQuota": {"limit": "16106127360", "usage": "1048576",
                                                                     "usageInDrive": "1048576", "usageInDriveTrash": "0"},
                              "user": {"displayName": "Corpus User", "emailAddress": "corpus.user@gmail.com"}})
    if kind == "root":
        return Response(200, {"id": ROOT})
    if kind == "list":
        q = req.arg("q", "")
        parents = set(re.findall(r"'([^']+)' in parents", q))
        parents = {ROOT if x == "root" else x for x in parents}
        names = set(re.findall(r"name='((?:[^'\\]|\\.)*)'", q))
        out = []
        for fid, f in files.items():
            if f.get("trashed") or (parents and not parents & set(f["parents"])):
                continue
            if names and f["name"] not in names:
                continue
            if f"mimeType='{FOLDER}'" in q and not f.get("folder") and "or mimeType" in q:
                continue
            if f"mimeType!='{FOLDER}'" in q and f.get("folder"):
                continue
            out.append(drive_file(fid, f))
        body = json.dumps({"kind": "drive#fileList", "incompleteSearch": False, "files": out}).encode()
        if partial:
            return Partial(200, body[: len(body) // 2], declared_length=len(body),
                           headers={"Content-Type": "application/json; charset=UTF-8"})
        return Response(200, body, content_type="application/json; charset=UTF-8")
    if kind in ("upload", "create"):
        meta, data = _multipart(req) if kind == "upload" else (req.json() or {}, b"")
        fid = "1zNew" + hashlib.md5((meta.get("name", "") + str(len(files))).encode()).hexdigest()[:16]
        nf = {"name": meta.get("name", "untitled"), "parents": meta.get("parents") or [ROOT],
              "folder": meta.get("mimeType") == FOLDER}
        if not nf["folder"]:
            nf["data"] = data
        files[fid] = nf
        return Response(200, drive_file(fid, nf))
    if kind in ("get", "media"):
        fid = ROOT if ident == "root" else ident
        if fid == ROOT:
            return Response(200, {"id": ROOT, "name": "My Drive", "mimeType": FOLDER})
        f = files.get(fid)
        if not f:
            return gerr(404, "notFound", f"File not found: {fid}.", location="fileId")
        if kind == "get":
            return Response(200, drive_file(fid, f))
        if partial:
            return Partial(200, f["data"][:20000], declared_length=len(f["data"]),
                           headers={"Content-Type": "application/octet-stream"})
        return Response(200, f["data"], content_type="application/octet-stream")
    if kind == "update":
        f = files.get(ident)
        if not f:
            return gerr(404, "notFound", f"File not found: {ident}.", location="fileId")
        meta = req.json() or {}
        if meta.get("trashed"):
            f["trashed"] = True
        if meta.get("name"):
            f["name"] = meta["name"]
        if req.arg("addParents"):
            f["parents"] = [x for x in f["parents"] if x != req.arg("removeParents")] + [req.arg("addParents")]
        return Response(200, drive_file(ident, f))
    if kind == "delete":
        files.pop(ident, None)
        return Response(204)
    return gerr(404, "notFound", "Not Found")


GCS_INIT = {"bkt": {"dir/f.bin": _content("gcs f.bin")}, "empty-bkt": {}}
GEN = "1714557600000000"


def gcs_obj(bucket, name, data):
    q = urllib.parse.quote(name, safe="")
    return {"kind": "storage#object", "id": f"{bucket}/{name}/{GEN}", "name": name, "bucket": bucket,
            "generation": GEN, "metageneration": "1", "contentType": "application/octet-stream",
            "storageClass": "STANDARD", "size": str(len(data)),
            "md5Hash": base64.b64encode(hashlib.md5(data).digest()).decode(),
            "mediaLink": f"https://storage.googleapis.com/download/storage/v1/b/{bucket}/o/{q}?generation={GEN}&alt=media",
            "selfLink": f"https://www.googleapis.com/storage/v1/b/{bucket}/o/{q}",
            "timeCreated": MTIME, "updated": MTIME, "metadata": {"mtime": "2024-05-01T10:00:00.000000000Z"}}


def gcs_bucket(name):
    return {"kind": "storage#bucket", "id": name, "name": name, "projectNumber": "123456789012", "metageneration": "1",
            "location": "US", "storageClass": "STANDARD", "timeCreated": MTIME, "updated": MTIME,
            "iamConfiguration": {"bucketPolicyOnly": {"enabled": True}, "uniformBucketLevelAccess": {"enabled": True}}}


def gcs_route(req, fault, state, target):
    buckets = state.setdefault("gcs", {b: dict(o) for b, o in GCS_INIT.items()})
    segs = [urllib.parse.unquote(s) for s in req.raw_path.split("/")]
    p = "/".join(segs)
    kind, bucket, obj = "other", None, None
    m = re.match(r"^/(upload/|download/)?storage/v1/b(?:/([^/]+))?(?:/o(?:/(.+?))?)?(/rewriteTo/b/([^/]+)/o/(.+))?$", p)
    # object names may contain "/" once unquoted; re-split on the raw path for /o/<name>
    raw = req.raw_path
    rm = re.match(r"^/(upload/|download/)?storage/v1/b(?:/([^/]+))?(/o(?:/([^/]+))?)?(/rewriteTo/b/([^/]+)/o/([^/]+))?$", raw)
    if rm:
        prefix, bucket = rm.group(1), rm.group(2) and urllib.parse.unquote(rm.group(2))
        obj = rm.group(4) and urllib.parse.unquote(rm.group(4))
        has_o = bool(rm.group(3))
        if rm.group(5):
            kind = "rewrite"
        elif prefix == "upload/":
            kind = "upload"
        elif prefix == "download/" or (obj and req.arg("alt") == "media"):
            kind = "media"
        elif not bucket:
            kind = "buckets" if req.method == "GET" else "insert_bucket"
        elif has_o and not obj:
            kind = "list"
        elif obj:
            kind = {"GET": "get", "DELETE": "delete_obj", "PATCH": "patch", "PUT": "patch"}.get(req.method, "other")
        else:
            kind = {"GET": "get_bucket", "DELETE": "delete_bucket"}.get(req.method, "other")
    state["n"] = state.get("n", 0) + 1
    is_target = {
        "start": True,  # rclone's GCS NewFs ignores an error on its first lookup: the fault holds for the whole run
        "list": kind == "buckets" or (kind == "list" and req.arg("maxResults") != "1"),
        "upload": kind == "upload", "download": kind == "media", "mkdir": kind == "insert_bucket",
        "rmdir": kind == "delete_bucket", "delete": kind == "delete_obj", "move": kind == "rewrite",
    }.get(target, False)
    ident = f"{bucket}/{obj}" if obj else bucket
    if fault == "ubla_legacy_acl":
        is_target = kind in ("upload", "rewrite") and bool(req.arg("predefinedAcl") or req.arg("destinationPredefinedAcl"))
    if is_target and fault:
        ans = fault_answer("gcs", fault, target, req, ident)
        if ans is not None:
            return ans
    partial = is_target and fault == "partial"

    def nobucket():
        return gerr(404, "notFound", "The specified bucket does not exist.")
    if kind == "buckets":
        body = json.dumps({"kind": "storage#buckets", "items": [gcs_bucket(b) for b in buckets]}).encode()
        if partial:
            return Partial(200, body[: len(body) // 2], declared_length=len(body),
                           headers={"Content-Type": "application/json; charset=UTF-8"})
        return Response(200, body, content_type="application/json; charset=UTF-8")
    if kind == "insert_bucket":
        b = (req.json() or {}).get("name", "new-bkt")
        buckets.setdefault(b, {})
        return Response(200, gcs_bucket(b))
    if kind == "get_bucket":
        return Response(200, gcs_bucket(bucket)) if bucket in buckets else nobucket()
    if kind == "delete_bucket":
        if bucket not in buckets:
            return nobucket()
        if buckets[bucket]:
            return gerr(409, "conflict", "The bucket you tried to delete is not empty.")
        del buckets[bucket]
        return Response(204)
    if bucket is not None and bucket not in buckets and kind != "other":
        return nobucket()
    objs = buckets.get(bucket, {})
    if kind == "list":
        prefix, delim = req.arg("prefix", ""), req.arg("delimiter", "")
        items, prefixes = [], set()
        for name, data in sorted(objs.items()):
            if not name.startswith(prefix):
                continue
            rest = name[len(prefix):]
            if delim and delim in rest:
                prefixes.add(prefix + rest.split(delim)[0] + delim)
                continue
            items.append(gcs_obj(bucket, name, data))
        mr = req.arg("maxResults")
        if mr == "1":
            items = items[:1]
        body = {"kind": "storage#objects"}
        if items:
            body["items"] = items
        if prefixes:
            body["prefixes"] = sorted(prefixes)
        raw_body = json.dumps(body).encode()
        if partial:
            return Partial(200, raw_body[: len(raw_body) // 2], declared_length=len(raw_body),
                           headers={"Content-Type": "application/json; charset=UTF-8"})
        return Response(200, raw_body, content_type="application/json; charset=UTF-8")
    if kind == "get" or kind == "patch":
        if obj not in objs:
            return gerr(404, "notFound", f"No such object: {bucket}/{obj}")
        return Response(200, gcs_obj(bucket, obj, objs[obj]))
    if kind == "media":
        if obj not in objs:
            return gerr(404, "notFound", f"No such object: {bucket}/{obj}")
        data = objs[obj]
        if partial:
            return Partial(200, data[:20000], declared_length=len(data),
                           headers={"Content-Type": "application/octet-stream"})
        return Response(200, data, content_type="application/octet-stream",
                        headers={"x-goog-generation": GEN, "x-goog-stored-content-length": str(len(data))})
    if kind == "upload":
        meta, data = _multipart(req)
        name = req.arg("name") or meta.get("name")
        objs[name] = data
        return Response(200, gcs_obj(bucket, name, data))
    if kind == "delete_obj":
        if obj not in objs:
            return gerr(404, "notFound", f"No such object: {bucket}/{obj}")
        del objs[obj]
        return Response(204)
    if kind == "rewrite":
        dst_b, dst_o = urllib.parse.unquote(rm.group(6)), urllib.parse.unquote(rm.group(7))
        if obj not in objs:
            return gerr(404, "notFound", f"No such object: {bucket}/{obj}")
        buckets.setdefault(dst_b, {})[dst_o] = objs[obj]
        res = gcs_obj(dst_b, dst_o, objs[obj])
        return Response(200, {"kind": "storage#rewriteResponse", "totalBytesRewritten": res["size"],
                              "objectSize": res["size"], "done": True, "resource": res})
    return gerr(404, "notFound", "Not Found")


# Google Photos Library API: errors are {"error": {"code", "message", "status"}} (google.rpc.Status), which rclone
# prints as "<message> (<code> <status>)".
def perr(code, message, status):
    return Response(code, {"error": {"code": code, "message": message, "status": status}},
                    content_type="application/json; charset=UTF-8")


PHOTOS_ANSWERS = {
    "auth_401": (401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
                      "other valid authentication credential. See "
                      "https://developers.google.com/identity/sign-in/web/devconsole-project.", "UNAUTHENTICATED"),
    "scope_403": (403, "Request had insufficient authentication scopes.", "PERMISSION_DENIED"),
    "forbidden_403": (403, "The caller does not have permission", "PERMISSION_DENIED"),
    "rate_429": (429, "Quota exceeded for quota metric 'All requests' and limit 'All requests per day' of service "
                      "'photoslibrary.googleapis.com' for consumer 'project_number:202264815644'.", "RESOURCE_EXHAUSTED"),
    "unavailable_503": (503, "The service is currently unavailable.", "UNAVAILABLE"),
    "internal_500": (500, "Internal error encountered.", "INTERNAL"),
    "not_found_404": (404, "Requested entity was not found.", "NOT_FOUND"),
    "invalid_400": (400, "Request contains an invalid argument.", "INVALID_ARGUMENT"),
}
PHOTO_DATA = _content("photo f.jpg")
ALBUM = {"id": "AKf8cCorpusHolidayAlbumId", "title": "Holiday", "productUrl": "https://photos.google.com/lr/album/AKf8c",
         "mediaItemsCount": "1", "isWriteable": True}


def photos_item(iid, name):
    return {"id": iid, "productUrl": f"https://photos.google.com/lr/photo/{iid}", "mimeType": "image/jpeg",
            "baseUrl": f"https://lh3.googleusercontent.com/lr/{iid}", "filename": name,
            "mediaMetadata": {"creationTime": "2024-05-01T10:00:00Z", "width": "4032", "height": "3024", "photo": {}}}


def photos_route(req, fault, state, target):
    p = req.path
    if req.host == "lh3.googleusercontent.com":
        kind = "media"
    elif p == "/v1/albums":
        kind = "albums" if req.method == "GET" else "create_album"
    elif p == "/v1/mediaItems:search":
        kind = "search"
    elif p == "/v1/uploads":
        kind = "upload"
    elif p == "/v1/mediaItems:batchCreate":
        kind = "batch"
    elif p.startswith("/v1/mediaItems/"):
        kind = "item"
    else:
        kind = "other"
    is_target = {"list": kind == "albums", "search": kind == "search", "upload": kind == "upload",
                 "download": kind == "media" and req.method == "GET", "mkdir": kind == "create_album"}.get(target, False)
    if is_target and fault:
        if fault == "not_found_404" and kind == "media":
            # lh3 answers a missing image with an image/* body; rclone reads it as "Image not found or broken"
            return Response(404, b"\x89PNG\r\n\x1a\n", content_type="image/png")
        if fault in PHOTOS_ANSWERS:
            return perr(*PHOTOS_ANSWERS[fault])
        ans = fault_answer("photos", fault, target, req, None)
        if ans is not None:
            return ans
    partial = is_target and fault == "partial"
    if kind == "albums":
        album = dict(ALBUM, isWriteable=False) if fault == "album_not_writeable" else ALBUM
        body = json.dumps({"albums": [album]} if not req.arg("pageToken") else {}).encode()
        if partial:
            return Partial(200, body[: len(body) // 2], declared_length=len(body),
                           headers={"Content-Type": "application/json; charset=UTF-8"})
        return Response(200, body, content_type="application/json; charset=UTF-8")
    if kind == "create_album":
        a = (req.json() or {}).get("album", {})
        return Response(200, dict(ALBUM, id="AKf8cCorpusNewAlbum", title=a.get("title", "NewAlbum"), mediaItemsCount="0"))
    if kind == "search":
        return Response(200, {"mediaItems": [photos_item("AKf8cCorpusPhotoF", "f.jpg")]})
    if kind == "item":
        return Response(200, photos_item(p.rsplit("/", 1)[1], "f.jpg"))
    if kind == "upload":
        return Response(200, "CAIS6QIAlX2eCorpusUploadToken", content_type="text/plain; charset=UTF-8")
    if kind == "batch":
        return Response(200, {"newMediaItemResults": [{"uploadToken": "CAIS6QIAlX2eCorpusUploadToken",
                                                        "status": {"message": "Success"},
                                                        "mediaItem": photos_item("AKf8cCorpusNewPhoto", "up.jpg")}]})
    if kind == "media":
        if partial:
            return Partial(200, PHOTO_DATA[:20000], declared_length=len(PHOTO_DATA),
                           headers={"Content-Type": "image/jpeg"})
        return Response(200, PHOTO_DATA, content_type="image/jpeg")
    return perr(404, "Method not found.", "NOT_FOUND")


def route(req, fault, state):
    ua = req.headers.get("User-Agent", "")
    target = ua.split("rcmd-corpus/", 1)[1].split()[0] if "rcmd-corpus/" in ua else ""
    state.setdefault("log", []).append((req.method, req.host, req.raw_path, target))
    if req.host in ("oauth2.googleapis.com", "accounts.google.com", "www.googleapis.com") and \
            req.path in ("/token", "/o/oauth2/token", "/oauth2/v4/token"):
        ans = token_fault(fault or "")
        if ans is not None:
            return ans
        return Response(200, {"access_token": "ya29.a0AfB_byRefreshedCorpus", "expires_in": 3599,
                              "scope": "https://www.googleapis.com/auth/drive", "token_type": "Bearer"})
    if req.host in ("photoslibrary.googleapis.com", "lh3.googleusercontent.com"):
        return photos_route(req, fault, state, target)
    if "/drive/v3/" in req.path:
        return drive_route(req, fault, state, target)
    if "/storage/v1/" in req.path:
        return gcs_route(req, fault, state, target)
    return gerr(404, "notFound", "Not Found")


AMBIGUOUS = {
    "not_downloadable_403": "ambiguous: a 403, so access_denied is the alternative; the text says the file's type "
                            "(a Docs file) makes the download impossible",
    "bucket_name_taken_409": "ambiguous: the text ends in 'Please select a different name and try again.', so "
                             "rate_limited is the alternative; retrying the same name cannot succeed",
    "download_quota_403": "ambiguous: a per-file download quota for a time window; unknown (quota, as storage quota) "
                          "is the alternative",
    "internal_500": "ambiguous: a bare 500 'Backend Error'/'Internal error encountered.' names no code in the brief; "
                    "rate_limited (rclone retries 5xx) is the alternative",
    "ubla_legacy_acl": "ambiguous: the bucket's state (uniform access on) refuses the ACL; validation_error (the remote's "
                       "bucket_policy_only setting) is the alternative",
    "account_disabled_403": "ambiguous: a 403 for a disabled billing account; unknown is the alternative",
    "sa_clock_skew": "ambiguous: Google's answer to a JWT whose iat/exp are off (the machine's clock); the text names "
                     "no clock, so invalid_credentials (invalid_grant) is the alternative",
    "token_500": "ambiguous: the token endpoint's 500 under rclone's 'maybe it has expired?' wrapper; "
                 "invalid_credentials (the wrapper's words) is the alternative",
}


def override(message, fault, code):
    if "running mkdir on a remote which can't have empty directories" in message:
        return None, "harness: Photos' mkdir notice, printed on every run whatever the fault"
    if message.startswith("Fatal error received - not attempting retries"):
        return "unknown", "consequence line: its cause (the upload limit error) is printed on another line"
    if ("is a directory or doesn't exist" in message or message.endswith("directory not found")) and \
            "not_found" not in fault:
        return "not_found", f"the {fault} fault made rclone's lookup fail; the printed text only says not found"
    if fault in AMBIGUOUS and code == FAULTS[fault]:
        return code, AMBIGUOUS[fault]
    return code, None
