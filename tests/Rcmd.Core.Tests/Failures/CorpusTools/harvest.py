# Calls a local rclone rcd (127.0.0.1:39940, --rc-no-auth) with failing requests and prints rclone's error text and
# HTTP status as JSON lines: the "reproduced: rclone 1.60.1 rcd …" rows of ../corpus.json. See README.md here.
# usage: python3 harvest.py "$(rclone obscure right)" "$(rclone obscure wrong)" > harvest.jsonl
import json, urllib.request, time, sys, subprocess
RC='http://127.0.0.1:39940/'
def rc(method, params):
    req = urllib.request.Request(RC+method, data=json.dumps(params).encode(), headers={'Content-Type':'application/json'}, method='POST')
    try:
        with urllib.request.urlopen(req, timeout=90) as r: return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
    except Exception as e:
        return -1, {'error':'HARNESS TIMEOUT '+str(e)}
S3=":s3,provider=Minio,endpoint='http://127.0.0.1:39930',access_key_id=AKIAIOSFODNN7EXAMPLE,secret_access_key=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"
DAV=":webdav,url='http://127.0.0.1:39930/'"
DAVOK=":webdav,url='http://127.0.0.1:39921/',user=alice,pass=" + sys.argv[1]
SFTPOK=":sftp,host=127.0.0.1,port=39922,user=alice,pass=" + sys.argv[1]
SFTPBAD=":sftp,host=127.0.0.1,port=39922,user=alice,pass=" + sys.argv[2]
cfg={"LowLevelRetries":1,"Timeout":3000000000,"ConnectTimeout":3000000000}
cases=[]
def add(desc, method, params, async_=False): cases.append((desc, method, params, async_))
for b in ['sig','skew','key','denied','slow','unavail','reqtimeout','internal','quota','badreq','expired','notimpl','s429','s503','s500','s502','s504','s401','s409','s412','s400','s408','s403']:
    add(f's3 operations/list bucket {b}', 'operations/list', {"fs":f"{S3}:{b}","remote":"dir","_config":cfg})
for b in ['owned','exists']:
    add(f's3 operations/mkdir bucket {b}', 'operations/mkdir', {"fs":f"{S3}:{b}","remote":"","_config":cfg})
add('s3 operations/copyfile to bucket sig', 'operations/copyfile', {"srcFs":"/tmp/rc","srcRemote":"src.txt","dstFs":f"{S3}:sig","dstRemote":"x.txt","_config":cfg})
add('s3 operations/copyfile to bucket quota', 'operations/copyfile', {"srcFs":"/tmp/rc","srcRemote":"src.txt","dstFs":f"{S3}:quota","dstRemote":"x.txt","_config":cfg})
add('s3 sync/copy async to bucket denied', 'sync/copy', {"srcFs":"/tmp/rc/srv","dstFs":f"{S3}:denied/d","_config":cfg}, True)
add('s3 sync/copy async to bucket slow', 'sync/copy', {"srcFs":"/tmp/rc/srv","dstFs":f"{S3}:slow/d","_config":cfg}, True)
for b in ['s429','s503','s403','s423','s507','s500','s502','s504','s401','s409','s412','s400','s408','reset','hang']:
    add(f'webdav operations/list path {b}', 'operations/list', {"fs":f"{DAV}:{b}","remote":"","_config":cfg})
for b in ['s423','s507','s403']:
    add(f'webdav operations/copyfile to path {b}', 'operations/copyfile', {"srcFs":"/tmp/rc","srcRemote":"src.txt","dstFs":f"{DAV}:{b}","dstRemote":"x.txt","_config":cfg})
add('webdav operations/list missing dir', 'operations/list', {"fs":f"{DAVOK}:nodir","remote":""})
add('webdav operations/copyfile missing source file', 'operations/copyfile', {"srcFs":f"{DAVOK}:dir","srcRemote":"missing.txt","dstFs":"/tmp/rc/out","dstRemote":"m.txt"})
add('sftp operations/list wrong password', 'operations/list', {"fs":f"{SFTPBAD}:","remote":""})
add('sftp operations/list missing dir', 'operations/list', {"fs":f"{SFTPOK}:nodir","remote":""})
add('sftp operations/copyfile missing source', 'operations/copyfile', {"srcFs":f"{SFTPOK}:dir","srcRemote":"missing.txt","dstFs":"/tmp/rc/out","dstRemote":"m.txt"})
add('sftp operations/deletefile missing', 'operations/deletefile', {"fs":f"{SFTPOK}:dir","remote":"missing.txt"})
add('local operations/list missing dir', 'operations/list', {"fs":"/nonexistent","remote":""})
add('local operations/copyfile missing source', 'operations/copyfile', {"srcFs":"/tmp/rc","srcRemote":"missing.txt","dstFs":"/tmp/rc/out","dstRemote":"m.txt"})
add('local operations/copyfile same file', 'operations/copyfile', {"srcFs":"/tmp/rc","srcRemote":"src.txt","dstFs":"/tmp/rc","dstRemote":"src.txt"})
add('local operations/mkdir under a file', 'operations/mkdir', {"fs":"/tmp/rc/src.txt","remote":"sub"})
add('local operations/deletefile missing', 'operations/deletefile', {"fs":"/tmp/rc","remote":"missing.txt"})
add('local operations/purge missing', 'operations/purge', {"fs":"/tmp/rc","remote":"nothere"})
add('local operations/rmdir non-empty', 'operations/rmdir', {"fs":"/tmp/rc/srv","remote":"dir"})
add('local operations/copyfile onto a directory', 'operations/copyfile', {"srcFs":"/tmp/rc","srcRemote":"src.txt","dstFs":"/tmp/rc","dstRemote":"srv"})
add('local sync/copy async missing source', 'sync/copy', {"srcFs":"/nonexistent","dstFs":"/tmp/rc/out2"}, True)
add('local sync/sync async overlapping', 'sync/sync', {"srcFs":"/tmp/rc/srv","dstFs":"/tmp/rc/srv/dir"}, True)
add('sync/copy bad remote', 'sync/copy', {"srcFs":"nosuchremote:","dstFs":"/tmp/rc/out"})
add('sync/copy inline unknown backend', 'sync/copy', {"srcFs":":nosuchbackend:","dstFs":"/tmp/rc/out"})
add('sync/copy missing dstFs', 'sync/copy', {"srcFs":"/tmp/rc/srv"})
add('operations/copyfile missing srcRemote', 'operations/copyfile', {"srcFs":"/tmp/rc","dstFs":"/tmp/rc/out","dstRemote":"x"})
add('job/status unknown id', 'job/status', {"jobid":424242})
add('job/stop unknown id', 'job/stop', {"jobid":424242})
add('job/status jobid as string', 'job/status', {"jobid":"abc"})
add('unknown rc method', 'no/such/method', {})
add('operations/list unknown _config key', 'operations/list', {"fs":"/tmp/rc","remote":"","_config":{"NoSuchOption":1}})
add('operations/list bad _filter', 'operations/list', {"fs":"/tmp/rc","remote":"","_filter":{"IncludeRule":"[["}})
add('config/create bad type', 'config/create', {"name":"x1","type":"nosuchtype","parameters":{}})
add('config/get missing', 'config/get', {"name":"nosuchremote"})
add('options/set unknown block', 'options/set', {"nosuchblock":{"a":1}})
add('sftp closed port', 'operations/list', {"fs":":sftp,host=127.0.0.1,port=1,user=a,pass="+sys.argv[1]+":","remote":"","_config":cfg})
add('webdav closed port', 'operations/list', {"fs":":webdav,url='http://127.0.0.1:1/':","remote":"","_config":cfg})
add('s3 closed port', 'operations/list', {"fs":":s3,provider=Minio,endpoint='http://127.0.0.1:1',access_key_id=A,secret_access_key=B:bkt","remote":"","_config":cfg})
add('http backend closed port', 'operations/list', {"fs":":http,url='http://127.0.0.1:1/':","remote":"","_config":cfg})
add('webdav https to plain http port', 'operations/list', {"fs":":webdav,url='https://127.0.0.1:39921/':","remote":"","_config":cfg})
add('sftp to an http port', 'operations/list', {"fs":":sftp,host=127.0.0.1,port=39921,user=a,pass="+sys.argv[1]+":","remote":"","_config":cfg})
add('webdav to an ssh port', 'operations/list', {"fs":":webdav,url='http://127.0.0.1:39922/':","remote":"","_config":cfg})
add('sftp password not obscured', 'operations/list', {"fs":":sftp,host=127.0.0.1,port=39922,user=a,pass=plain:","remote":""})
add('operations/about on local', 'operations/about', {"fs":"/nonexistent/x"})
add('operations/publiclink local unsupported', 'operations/publiclink', {"fs":"/tmp/rc","remote":"src.txt"})
out=[]
for desc, method, params, a in cases:
    t0=time.time(); print(desc, file=sys.stderr, flush=True)
    if a:
        params=dict(params); params['_async']=True
        st, js = rc(method, params)
        jid = js.get('jobid')
        if jid is None: out.append(dict(desc=desc, method=method, status=st, error=js.get('error'))); continue
        for _ in range(120):
            st2, j = rc('job/status', {"jobid":jid})
            if j.get('finished'): break
            time.sleep(0.5)
        out.append(dict(desc=desc+' (job/status error)', method=method, status=None, error=j.get('error')))
        continue
    st, js = rc(method, params)
    out.append(dict(desc=desc, method=method, status=st, error=js.get('error') if isinstance(js, dict) else None))
for o in out: print(json.dumps(o))
