# Fault-injecting HTTP server for the classifier corpus (see README.md here). Loopback only.
# The first path segment picks the answer: an S3 error document (sig, skew, key, denied, nobucket, slow, unavail,
# reqtimeout, internal, quota, badreq, expired, notimpl, owned, exists), a bare status (s429, s503, s423, s507, …),
# "hang" (never answers) or "reset" (closes the connection).
import http.server, sys, time
S3 = {
 'sig': (403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'),
 'skew': (403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.'),
 'key': (403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.'),
 'denied': (403, 'AccessDenied', 'Access Denied'),
 'nobucket': (404, 'NoSuchBucket', 'The specified bucket does not exist'),
 'slow': (503, 'SlowDown', 'Please reduce your request rate.'),
 'unavail': (503, 'ServiceUnavailable', 'Please reduce your request rate.'),
 'reqtimeout': (400, 'RequestTimeout', 'Your socket connection to the server was not read from or written to within the timeout period.'),
 'internal': (500, 'InternalError', 'We encountered an internal error. Please try again.'),
 'owned': (409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.'),
 'exists': (409, 'BucketAlreadyExists', 'The requested bucket name is not available.'),
 'quota': (403, 'QuotaExceeded', 'Storage quota exceeded.'),
 'badreq': (400, 'InvalidArgument', 'Invalid argument.'),
 'expired': (400, 'ExpiredToken', 'The provided token has expired.'),
 'notimpl': (501, 'NotImplemented', 'A header you provided implies functionality that is not implemented.'),
}
PLAIN = {'s429': 429, 's503': 503, 's403': 403, 's423': 423, 's507': 507, 's500': 500, 's502': 502, 's504': 504, 's401': 401, 's409': 409, 's412': 412, 's400': 400, 's404': 404, 's408': 408}
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def log_message(self, *a): pass
    def handle_any(self):
        n = int(self.headers.get('Content-Length') or 0)
        if n: self.rfile.read(n)
        seg = self.path.lstrip('/').split('/')[0].split('?')[0]
        if seg in S3:
            st, code, msg = S3[seg]
            body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{msg}</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>host</HostId></Error>'.encode()
            self.send_response(st); self.send_header('Content-Type','application/xml')
            if seg in ('slow',): self.send_header('Retry-After','7')
        elif seg in PLAIN:
            st = PLAIN[seg]; body = f'{st} {http.server.BaseHTTPRequestHandler.responses.get(st,("x",))[0]}\n'.encode()
            self.send_response(st); self.send_header('Content-Type','text/plain')
            if st in (429,503): self.send_header('Retry-After','30')
        elif seg == 'hang':
            time.sleep(60); return
        elif seg == 'reset':
            self.connection.close(); return
        else:
            st=404; body=b'not found'; self.send_response(404)
        self.send_header('Content-Length', str(len(body))); self.end_headers()
        if self.command != 'HEAD': self.wfile.write(body)
    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PROPFIND = do_MKCOL = do_MOVE = do_COPY = handle_any
http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
