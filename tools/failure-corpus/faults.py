# The faults the loopback fakes (fakes.py) can play, keyed by the name a request carries, with the code each one must
# be classified as under issue 16's labelling rules. The label belongs to the fault, not to any classifier output.
RA = (('Retry-After', '1'),)
PORTS = dict(s3=39930, azure=10000, b2=39932, swift=39933, dav=39934, http=39935, oauth=39936, ftp=39937,
             reset=39940, eof=39941, hang=39942, garbage=39943, tls=39944, **{'ssh-garbage': 39945}, closed=39949)
# S3 error documents: key -> (status, Code, Message, headers)
S3 = {
 'sig': (403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', ()),
 'skew': (403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', ()),
 'key': (403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', ()),
 'denied': (403, 'AccessDenied', 'Access Denied', ()),
 'nobucket': (404, 'NoSuchBucket', 'The specified bucket does not exist', ()),
 'nokey': (404, 'NoSuchKey', 'The specified key does not exist.', ()),
 'slow': (503, 'SlowDown', 'Please reduce your request rate.', RA),
 'unavail': (503, 'ServiceUnavailable', 'Service is unable to handle request.', RA),
 'reqtimeout': (400, 'RequestTimeout', 'Your socket connection to the server was not read from or written to within the timeout period.', ()),
 'internal': (500, 'InternalError', 'We encountered an internal error. Please try again.', ()),
 'quota': (403, 'QuotaExceeded', 'Storage quota exceeded.', ()),
 'badarg': (400, 'InvalidArgument', 'Invalid argument.', ()),
 'expired': (400, 'ExpiredToken', 'The provided token has expired.', ()),
 'invtoken': (400, 'InvalidToken', 'The provided token is malformed or otherwise invalid.', ()),
 'notempty': (409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', ()),
 'precond': (412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', ()),
 'exists': (409, 'BucketAlreadyExists', 'The requested bucket name is not available.', ()),
 'badname': (400, 'InvalidBucketName', 'The specified bucket is not valid.', ()),
 'gwtimeout': (504, 'GatewayTimeout', 'The server did not respond in time.', ()),
 'badgw': (502, 'BadGateway', 'Bad Gateway', ()),
 'toomany': (429, 'TooManyRequests', 'Please slow down.', RA),
 'accountdis': (403, 'AllAccessDisabled', 'All access to this object has been disabled', ()),
 'noupload': (404, 'NoSuchUpload', 'The specified multipart upload does not exist.', ()),
 'reset': ('reset', '', '', ()), 'eof': ('eof', '', '', ()), 'hang': ('hang', '', '', ()),
}
S3_LABEL = dict(sig='signature_mismatch', skew='request_time_skewed', key='invalid_credentials', denied='access_denied',
 nobucket='not_found', nokey='not_found', slow='rate_limited', unavail='rate_limited', reqtimeout='upstream_timeout',
 internal='rate_limited', quota='unknown', badarg='validation_error', expired='invalid_credentials',
 invtoken='invalid_credentials', notempty='conflict', precond='conflict', exists='conflict', badname='validation_error',
 gwtimeout='upstream_timeout', badgw='network_error', toomany='rate_limited', accountdis='access_denied',
 noupload='not_found', reset='network_error', eof='network_error', hang='upstream_timeout')
# Azure Blob: container -> (status, x-ms-error-code, message, headers)
AZURE = {
 'authfail': (403, 'AuthenticationFailed', 'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.', ()),
 'skew': (403, 'AuthenticationFailed', 'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.', ()),
 'permission': (403, 'AuthorizationPermissionMismatch', 'This request is not authorized to perform this operation using this permission.', ()),
 'authz': (403, 'AuthorizationFailure', 'This request is not authorized to perform this operation.', ()),
 'nocontainer': (404, 'ContainerNotFound', 'The specified container does not exist.', ()),
 'noblob': (404, 'BlobNotFound', 'The specified blob does not exist.', ()),
 'busy': (503, 'ServerBusy', 'The server is busy.', RA),
 'optimeout': (500, 'OperationTimedOut', 'The operation could not be completed within the permitted time.', ()),
 'internal': (500, 'InternalError', 'The server encountered an internal error. Please retry the request.', ()),
 'lease': (412, 'LeaseIdMissing', 'There is currently a lease on the blob and no lease ID was specified in the request.', ()),
 'deleting': (409, 'ContainerBeingDeleted', 'The specified container is being deleted.', ()),
 'badquery': (400, 'InvalidQueryParameterValue', 'Value for one of the query parameters specified in the request URI is invalid.', ()),
 'disabled': (403, 'AccountIsDisabled', 'The specified account is disabled.', ()),
 'archived': (409, 'BlobArchived', 'This operation is not permitted on an archived blob.', ()),
 'exists': (409, 'ContainerAlreadyExists', 'The specified container already exists.', ()),
 'insufficient': (403, 'InsufficientAccountPermissions', 'The account being accessed does not have sufficient permissions to execute this operation.', ()),
 'reset': ('reset', '', '', ()), 'hang': ('hang', '', '', ()),
}
AZURE_LABEL = dict(authfail='signature_mismatch', skew='request_time_skewed', permission='access_denied', authz='access_denied',
 nocontainer='not_found', noblob='not_found', busy='rate_limited', optimeout='upstream_timeout', internal='rate_limited',
 lease='conflict', deleting='conflict', badquery='validation_error', disabled='access_denied', archived='conflict',
 exists='conflict', insufficient='access_denied', reset='network_error', hang='upstream_timeout')
# Backblaze B2: account id (auth_*: at authorize) or apiUrl segment -> (status, code, message, headers)
B2 = {
 'auth_bad': (401, 'bad_auth_token', 'Invalid authorization token', ()),
 'auth_unauthorized': (401, 'unauthorized', '', ()),
 'auth_expired': (401, 'expired_auth_token', 'Authorization token has expired', ()),
 'auth_unavailable': (503, 'service_unavailable', 'Service temporarily unavailable', RA),
 'auth_hang': ('hang', '', '', ()),
 'toomany': (429, 'too_many_requests', 'Too many requests', RA),
 'unavailable': (503, 'service_unavailable', 'c001_v0001 unable to handle request, please try again', RA),
 'badreq': (400, 'bad_request', 'Invalid bucketId: 123', ()),
 'notfound': (404, 'not_found', 'File not present: dir/file.txt', ()),
 'duplicate': (400, 'duplicate_bucket_name', 'Bucket name is already in use.', ()),
 'internal': (500, 'internal_error', 'incident id 7f3c', ()),
 'timeout': (408, 'request_timeout', 'The service timed out trying to read your request', ()),
 'storagecap': (403, 'storage_cap_exceeded', 'Cannot upload files, storage cap exceeded.', ()),
 'denied': (401, 'unauthorized', 'not entitled', ()),
 'badgw': (502, 'bad_gateway', 'Bad gateway', ()),
 'reset': ('reset', '', '', ()), 'eof': ('eof', '', '', ()),
}
B2_LABEL = dict(auth_bad='invalid_credentials', auth_unauthorized='invalid_credentials', auth_expired='invalid_credentials',
 auth_unavailable='rate_limited', auth_hang='upstream_timeout', toomany='rate_limited', unavailable='rate_limited',
 badreq='validation_error', notfound='not_found', duplicate='conflict', internal='unknown', timeout='upstream_timeout',
 storagecap='unknown', denied='access_denied', badgw='network_error', reset='network_error', eof='network_error')
# OpenStack Swift: user (auth_*: at auth) or account segment -> (status, body, headers)
SWIFT = {
 'auth_fail': (401, '<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized to access the document you requested.</p></html>', ()),
 'auth_unavailable': (503, 'Service Unavailable', RA),
 'forbidden': (403, '<html><h1>Forbidden</h1><p>Access was denied to this resource.</p></html>', ()),
 'notfound': (404, '<html><h1>Not Found</h1><p>The resource could not be found.</p></html>', ()),
 'conflict': (409, '<html><h1>Conflict</h1><p>There was a conflict when trying to complete your request.</p></html>', ()),
 'toomany': (429, 'Too Many Requests', RA),
 'unavailable': (503, 'Service Unavailable', RA),
 'gwtimeout': (504, 'Gateway Timeout', ()),
 'badgw': (502, 'Bad Gateway', ()),
 'badreq': (400, 'Bad Request', ()),
 'timeout': (408, '<html><h1>Request Timeout</h1><p>The client did not produce a request within the time that the server was prepared to wait.</p></html>', ()),
 'unauth': (401, 'Unauthorized', ()),
 'hang': ('hang', '', ()), 'reset': ('reset', '', ()),
}
SWIFT_LABEL = dict(auth_fail='invalid_credentials', auth_unavailable='rate_limited', forbidden='access_denied', notfound='not_found',
 conflict='conflict', toomany='rate_limited', unavailable='rate_limited', gwtimeout='upstream_timeout', badgw='network_error',
 badreq='validation_error', timeout='upstream_timeout', unauth='invalid_credentials', hang='upstream_timeout', reset='network_error')
# WebDAV (Sabre/Nextcloud style): first segment -> (status, Sabre exception or None for an HTML body, message, headers)
DAV = {
 'unauth': (401, 'NotAuthenticated', 'No public access to this resource., No \'Authorization: Basic\' header found.', (('WWW-Authenticate', 'Basic realm="fake"'),)),
 'forbidden': (403, 'Forbidden', 'Permission denied', ()),
 'notfound': (404, 'NotFound', 'File with name dir could not be located', ()),
 'locked': (423, 'Locked', '"dir/file.txt" is locked', ()),
 'storage': (507, 'InsufficientStorage', 'Insufficient space in /files/alice, 0 required', ()),
 'unavailable': (503, 'ServiceUnavailable', 'System in maintenance mode.', RA),
 'precond': (412, 'PreconditionFailed', 'An If-Match header was specified, but none of the specified ETags matched.', ()),
 'conflict': (409, 'Conflict', 'Parent node does not exist', ()),
 'badreq': (400, 'BadRequest', 'Invalid chunk name', ()),
 'toomany': (429, 'TooManyRequests', 'Too many requests, slow down', RA),
 'gwtimeout': (504, None, '<html><head><title>504 Gateway Time-out</title></head><body><h1>504 Gateway Time-out</h1></body></html>', ()),
 'badgw': (502, None, '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>', ()),
 'internal': (500, None, '<html><body>Internal Server Error</body></html>', ()),
 'hang': ('hang', None, '', ()), 'reset': ('reset', None, '', ()), 'eof': ('eof', None, '', ()),
}
DAV_LABEL = dict(unauth='invalid_credentials', forbidden='access_denied', notfound='not_found', locked='conflict', storage='unknown',
 unavailable='rate_limited', precond='conflict', conflict='conflict', badreq='validation_error', toomany='rate_limited',
 gwtimeout='upstream_timeout', badgw='network_error', internal='unknown', hang='upstream_timeout', reset='network_error', eof='network_error')
# A plain HTTP site (rclone's http backend): first segment -> (status, body, headers)
PLAIN = {
 'unauth': (401, 'Unauthorized', ()), 'forbidden': (403, 'Forbidden', ()), 'toomany': (429, 'Too Many Requests', RA),
 'unavailable': (503, 'Service Unavailable', RA), 'gwtimeout': (504, 'Gateway Timeout', ()), 'badgw': (502, 'Bad Gateway', ()),
 'hang': ('hang', '', ()), 'reset': ('reset', '', ()), 'eof': ('eof', '', ()),
}
PLAIN_LABEL = dict(unauth='invalid_credentials', forbidden='access_denied', toomany='rate_limited', unavailable='rate_limited',
 gwtimeout='upstream_timeout', badgw='network_error', hang='upstream_timeout', reset='network_error', eof='network_error')
# An OAuth2 token endpoint: first segment -> (status, JSON or text body, headers)
OAUTH = {
 'grant': (400, {'error': 'invalid_grant', 'error_description': 'Token has been expired or revoked.'}, ()),
 'client': (401, {'error': 'invalid_client', 'error_description': 'The OAuth client was not found.'}, ()),
 'unauthclient': (400, {'error': 'unauthorized_client', 'error_description': 'Unauthorized'}, ()),
 'unavailable': (503, 'Service Unavailable', RA),
 'toomany': (429, {'error': 'rate_limit_exceeded'}, RA),
 'noaccess': (200, {'token_type': 'Bearer', 'expires_in': 3600}, ()),
 'hang': ('hang', '', ()), 'reset': ('reset', '', ()),
}
OAUTH_LABEL = dict(grant='invalid_credentials', client='invalid_credentials', unauthclient='invalid_credentials',
 unavailable='rate_limited', toomany='rate_limited', noaccess='invalid_credentials', hang='upstream_timeout', reset='network_error')
# FTP: user name -> replies ('greet' replaces the login, 'pass' answers PASS, 'cmd' answers every other command)
FTP = {
 'busy': {'greet': '421 Too many connections (8) from this IP'},
 'badpass': {'pass': '530 Login incorrect.'},
 'denied': {'cmd': '550 Permission denied.'},
 'missing': {'cmd': '550 No such file or directory.'},
 'full': {'cmd': '452 Insufficient storage space.'},
 'dataconn': {'cmd': "425 Can't open data connection."},
 'aborted': {'cmd': '426 Connection closed; transfer aborted.'},
 'drop': {'cmd': 'close'},
}
FTP_LABEL = dict(busy='rate_limited', badpass='invalid_credentials', denied='access_denied', missing='not_found',
 full='unknown', dataconn='network_error', aborted='network_error', drop='network_error')
RAW_LABEL = dict(reset='network_error', eof='network_error', hang='upstream_timeout', garbage='network_error', tls='network_error',
 closed='endpoint_unreachable')
