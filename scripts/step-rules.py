"""The adaptive step rule against the fixed one on every shipped cohort scenario (issue 40):
2,000 runs of each under each rule (posterior parameters, the default; seed 5), and for each
scenario the headline figure whose mean moves most, in units of the Monte Carlo standard error
of a 10,000-run mean (the fixed rule's MCSE x sqrt(2000 / 10000)).

    cargo build --release && python3 scripts/step-rules.py [OUT_DIR]
"""
import json, subprocess, sys, glob, os, time
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
bin = os.path.join(root, 'target/release/surge')
work = sys.argv[1] if len(sys.argv) > 1 else '/tmp/step-rules'
for f in sorted(glob.glob(os.path.join(root, 'scenarios/*.toml'))):
    if 'agents' in f: continue
    name=os.path.basename(f)[:-5]
    res={}
    for rule in ('fixed','adaptive'):
        out=os.path.join(work, f'{name}-{rule}')
        t=time.time()
        r=subprocess.run([bin,'run',f,'--runs','2000','--seed','5','--quiet','--out',out,'--force','--step-rule',rule],capture_output=True,text=True)
        if r.returncode: print(name, rule, r.stderr[:300]); break
        res[rule]=(json.load(open(out+'/summary.json')), time.time()-t)
    if len(res)<2: continue
    a,b=res['fixed'][0],res['adaptive'][0]
    worst=(0,'')
    for x,y in zip(a['headline'],b['headline']):
        se10k=x['mcse']*(2000/10000)**0.5
        if se10k==0: 
            if x['mean']!=y['mean']: worst=max(worst,(float('inf'),x.get('app','')+'.'+x.get('metric','')+str(x.get('window_hours',''))))
            continue
        z=abs(x['mean']-y['mean'])/se10k
        worst=max(worst,(z,f"{x.get('app','')}.{x.get('metric','')}{x.get('window_hours','') or ''} {x['mean']:.4g} vs {y['mean']:.4g}"))
    print(f"{name}: fixed {res['fixed'][1]:.1f}s adaptive {res['adaptive'][1]:.1f}s; largest |mean diff| = {worst[0]:.2f} x the MCSE at 10,000 runs ({worst[1]})", flush=True)
