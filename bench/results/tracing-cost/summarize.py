import re,sys,statistics as st
rows=[]
for f in sys.argv[1:]:
    cur=None
    for line in open(f):
        m=re.match(r'== (\S+) (\S+):(\S+) threads=(\d+) run \d+ start (\S+) load (\S+)',line)
        if m: cur=dict(label=m[1],a=m[2],b=m[3],th=int(m[4]),start=m[5],load=m[6]); continue
        m=re.match(r'== end (\S+) load (\S+)',line)
        if m and cur: cur['loadend']=m[2]; continue
        if line.startswith('BLOCKS') and cur: cur['blist']=[float(x) for x in line.split()[1:]]
        if line.startswith('RESULT') and cur:
            d=dict(re.findall(r'(\w+)=([\d.]+)',line)); cur.update(d); rows.append(cur)
print("| run | A : B | threads | start (UTC), load | A tx/s | B tx/s | B's throughput against A, overall | median block A/B | B's cost, median block | middle half of blocks (cost) | CPU per tx A / B (µs) | B's extra CPU |")
print("|---|---|---:|---|---:|---:|---:|---:|---:|---|---|---:|")
for r in rows:
    ta=float(r['aTx'])/float(r['aSeconds']); tb=float(r['bTx'])/float(r['bSeconds'])
    mr=float(r['medianRatio']); b=sorted(r['blist']); n=len(b)
    q1=b[n//4]; q3=b[(3*n)//4]
    cost=lambda x:(1-1/x)*100
    ca=r.get('aCpuMicrosPerTx'); cb=r.get('bCpuMicrosPerTx')
    print(f"| {r['label']} {r['start']} | {r['a']} : {r['b']} | {r['th']} | {r['start']}, {r['load']} → {r.get('loadend','?')} | {ta:,.0f} | {tb:,.0f} | {(tb/ta-1)*100:+.1f} % | {mr:.3f} | {cost(mr):.1f} % | {cost(q1):.1f} % to {cost(q3):.1f} % | {ca} / {cb} | {(float(cb)/float(ca)-1)*100:+.1f} % |")
