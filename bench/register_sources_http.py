# What the material-sources hook adds to a submission, over HTTP against `tongban serve --demo`:
# alternating rounds of the sources preview (POST /api/v1/matters/{code}/scenarios/apply/sources,
# the hook's reads alone) and of submissions (POST /api/v1/cases, hook included) by the demo's
# 周德华, each round's wall p50/p99 and the server process's CPU per request (/proc/PID/stat).
# Usage: python3 bench/register_sources_http.py SERVER_PID REQUESTS_PER_ROUND ROUNDS [PORT]
import http.client, json, time, sys, os, uuid
PID=int(sys.argv[1]); N=int(sys.argv[2]); ROUNDS=int(sys.argv[3])
c=http.client.HTTPConnection('127.0.0.1',int(sys.argv[4]) if len(sys.argv)>4 else 8080)
def call(method,path,body=None,token=None,extra=None):
    h={'Content-Type':'application/json'}
    if token: h['Authorization']='Bearer '+token
    if extra: h.update(extra)
    c.request(method,path,json.dumps(body) if body is not None else None,h)
    r=c.getresponse(); data=r.read(); return r.status,data
def cpu():
    f=open(f'/proc/{PID}/stat').read().split(')')[1].split()
    return (int(f[11])+int(f[12]))/os.sysconf('SC_CLK_TCK')
st,d=call('POST','/api/v1/sessions',{'id_number':'432930195507020150','password':'tongban-demo'})
tok=json.loads(d)['token']
M='11431128MB17048517050103021000001'
form={"disability_card_no":"43293019550702015042","disability_level":"二级","disability_category":"肢体","subsidy_type":"两项补贴","bank_account":"6217000000000000000","by_agent":"false","contact_phone":"13800000002"}
def pct(v,p): v=sorted(v); return v[min(len(v)-1,int(p*len(v)))]
res={}
for rnd in range(ROUNDS):
    order=['preview','submit'] if rnd%2==0 else ['submit','preview']
    for kind in order:
        wall=[]; c0=cpu()
        for i in range(N):
            t=time.perf_counter()
            if kind=='preview':
                st,d=call('POST',f'/api/v1/matters/{M}/scenarios/apply/sources',{'authorised_licences':['*'],'form':form},tok)
                assert st==200,(st,d[:300])
            else:
                st,d=call('POST','/api/v1/cases',{'matter':M,'scenario':'apply','channel':'online','form':form,'authorised_licences':['*']},tok,{'Idempotency-Key':str(uuid.uuid4())})
                assert st==201,(st,d[:300])
            wall.append((time.perf_counter()-t)*1e3)
        c1=cpu()
        r=dict(kind=kind,round=rnd,n=N,p50_ms=round(pct(wall,.5),2),p99_ms=round(pct(wall,.99),2),server_cpu_ms_per_req=round((c1-c0)*1e3/N,2),load=os.getloadavg()[0])
        print(json.dumps(r)); sys.stdout.flush()
        res.setdefault(kind,[]).append(r)
for k,v in res.items():
    med=lambda key: sorted(x[key] for x in v)[len(v)//2]
    print(json.dumps(dict(median_of_rounds=k,p50_ms=med('p50_ms'),p99_ms=med('p99_ms'),server_cpu_ms_per_req=med('server_cpu_ms_per_req'))))
