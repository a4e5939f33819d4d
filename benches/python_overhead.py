"""Python against the command line: 5 interleaved pairs of a 1,000-run call (2021-10-04, seed 1,
2 threads), medians. Run from the repo root after `pip install ./python` and `cargo build --release`:
python benches/python_overhead.py"""
import statistics, subprocess, sys, time, tempfile, os
import surge
S="scenarios/facebook-2021-10-04.toml"; B="target/release/surge"
cli, py = [], []
for i in range(5):
    d=tempfile.mkdtemp()
    t=time.perf_counter(); subprocess.run([B,"run",S,"--runs","1000","--seed","1","--threads","2","--quiet","--out",d+"/c"],check=True); cli.append(time.perf_counter()-t)
    t=time.perf_counter(); surge.run(S, runs=1000, seed=1, threads=2, out=d+"/p"); py.append(time.perf_counter()-t)
c,p=statistics.median(cli),statistics.median(py)
print(f"cli median {c:.3f} s, python median {p:.3f} s, python/cli {p/c:.3f}")
