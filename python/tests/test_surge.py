"""The Python interface against the command line: the same validation and messages, the same
files for the same scenario and seed, DataFrames out, the GIL released, Ctrl-C safe."""

import _thread
import os
import subprocess
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

import surge

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "facebook-2021-10-04.toml"


def surge_binary() -> str:
    """The CLI the package is compared with: $SURGE_BIN, else the release build."""
    path = os.environ.get("SURGE_BIN", str(ROOT / "target" / "release" / "surge"))
    assert Path(path).is_file(), f"no surge binary at {path}: build it (cargo build --release)"
    return path


def test_a_scenario_file_is_validated_and_named():
    s = surge.Scenario.from_file(SCENARIO)
    assert s.name == "facebook-2021-10-04"
    assert "facebook-2021-10-04" in repr(s)


def test_a_bad_scenario_raises_with_file_key_and_line():
    bad = ROOT / "tests" / "fixtures" / "bad-sampler-unknown.toml"
    with pytest.raises(surge.ScenarioError) as e:
        surge.Scenario.from_file(bad)
    assert "bad-sampler-unknown.toml:12:1: key `simulation.sampler`" in str(e.value)
    # The same message as `surge check` prints.
    printed = subprocess.run([surge_binary(), "check", str(bad)], capture_output=True, text=True)
    assert str(e.value) in printed.stderr


def test_toml_text_and_what_if_values_are_checked_like_files():
    text = SCENARIO.read_text()
    s = surge.Scenario.from_toml(text, path=SCENARIO)
    assert s.name == "facebook-2021-10-04"
    assert s.with_values({"event.duration_hours": 8}).values == {"event.duration_hours": 8.0}
    with pytest.raises(surge.ScenarioError, match="event.duration_hour"):
        s.with_values({"event.duration_hour": 8})
    with pytest.raises(surge.ScenarioError, match="duration_hours"):
        s.with_values({"event.duration_hours": -1})
    with pytest.raises(surge.ScenarioError, match=r"facebook-2021-10-04.toml:\d+:\d+: key `simulation.runs`"):
        surge.Scenario.from_toml(text.replace("runs = 1000", "runs = -1"), path=SCENARIO)


def test_run_gives_dataframes_with_the_files_columns(tmp_path):
    r = surge.run(surge.Scenario.from_file(SCENARIO), runs=12, seed=3, threads=2)
    assert list(r.headline.columns)[:4] == ["app", "figure", "metric", "window_hours"]
    assert set(r.headline["app"]) == {"telegram", "signal", "twitter"}
    with open(r.folder / "timeseries.csv") as f:
        assert list(r.timeseries.columns) == f.readline().strip().split(",")
    assert len(r.runs) == 12
    assert r.summary["runs"] == 12 and r.summary["seed"] == 3
    assert r.plot("rate")[:4] == b"\x89PNG" and r._repr_png_()[:4] == b"\x89PNG"
    with pytest.raises(surge.SurgeError, match="no plot"):
        r.plot("pie")


def test_a_run_from_python_writes_exactly_what_surge_run_writes(tmp_path):
    cli, py = tmp_path / "cli", tmp_path / "py"
    subprocess.run([surge_binary(), "run", str(SCENARIO), "--runs", "16", "--seed", "9",
                    "--threads", "2", "--quiet", "--out", str(cli)], check=True)
    surge.run(str(SCENARIO), runs=16, seed=9, threads=1, out=py)
    names = sorted(p.name for p in cli.iterdir())
    assert names == sorted(p.name for p in py.iterdir())
    for name in names:
        assert (cli / name).read_bytes() == (py / name).read_bytes(), name


def test_each_step_rule_writes_what_surge_run_writes(tmp_path):
    # The adaptive rule is the cohort engine's default; the fixed one is asked for.
    for rule, steps in (("adaptive", {"rule": "adaptive", "tolerance": 0.03}),
                        ("fixed", {"rule": "fixed"})):
        cli, py = tmp_path / f"cli-{rule}", tmp_path / f"py-{rule}"
        subprocess.run([surge_binary(), "run", str(SCENARIO), "--runs", "8", "--seed", "9",
                        "--step-rule", rule, "--quiet", "--out", str(cli)], check=True)
        r = surge.run(str(SCENARIO), runs=8, seed=9, step_rule=rule, out=py)
        assert r.summary["steps"] == steps
        for name in ("timeseries.csv", "runs.csv", "summary.json"):
            assert (cli / name).read_bytes() == (py / name).read_bytes(), (rule, name)
    assert surge.run(str(SCENARIO), runs=2, seed=9).summary["steps"]["rule"] == "adaptive"


def test_report_writes_the_page_surge_report_writes(tmp_path):
    out = tmp_path / "run"
    r = surge.run(str(SCENARIO), runs=12, seed=4, threads=1, out=out)
    page = r.report()
    assert page == out / "report.html"
    from_python = page.read_bytes()
    page.unlink()
    subprocess.run([surge_binary(), "report", str(out), "--quiet"], check=True)
    assert page.read_bytes() == from_python
    assert b"<figure><svg" in from_python and b"peak sign-ups" in from_python


def test_what_if_values_are_recorded_and_shown_on_the_page(tmp_path):
    scenario = surge.Scenario.from_file(SCENARIO).with_values({"event.duration_hours": 8.0})
    r = surge.run(scenario, runs=6, seed=4, threads=1, out=tmp_path / "eight")
    assert r.summary["values"] == [["event.duration_hours", 8.0]]
    page = r.report().read_text()
    assert "What-if values set on the scenario" in page and "event.duration_hours = 8" in page


def test_what_if_values_match_a_sweep_key_on_the_command_line(tmp_path):
    # A longer outage brings more arrivals in 24 h (means of the same seeds).
    s = surge.Scenario.from_file(SCENARIO)
    short = surge.run(s, runs=8, seed=2, parameters="fixed").headline
    long = surge.run(s.with_values({"event.duration_hours": 12}), runs=8, seed=2,
                     parameters="fixed").headline
    pick = lambda h: h[(h.app == "telegram") & (h.metric == "arrivals")]["mean"].iloc[0]
    assert pick(long) > pick(short)


def test_save_is_whole_and_refuses_a_folder_with_files(tmp_path):
    r = surge.run(str(SCENARIO), runs=4, seed=1)
    target = r.save(tmp_path / "kept")
    assert (target / "summary.json").is_file()
    assert (target / "surge-manifest.json").is_file()
    # An ordinary folder (rwxr-xr-x under the usual umask), not a temporary folder's 0700.
    assert (target.stat().st_mode & 0o055) == (0o055 & ~_umask())
    # Saving again over its own results is fine.
    r.save(tmp_path / "kept")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    for force in (False, True):
        with pytest.raises(surge.SurgeError, match="surge did not write"):
            r.save(tmp_path / "full", force=force)
    assert (tmp_path / "full" / "notes.txt").read_text() == "mine"


def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


def _tree(folder: Path) -> dict:
    return {p.relative_to(folder): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def test_out_and_force_never_touch_a_users_files(tmp_path, monkeypatch):
    user = tmp_path / "user"
    (user / "src").mkdir(parents=True)
    (user / "notes.txt").write_text("mine")
    (user / "summary.json").write_text('{"scenario":{"name":"facebook-2021-10-04"}}')
    (user / "src" / "main.c").write_text("int main;")
    before = _tree(user)
    monkeypatch.chdir(user)
    for out in (user, user / "src", ".", "..", user / "."):
        for force in (False, True):
            with pytest.raises(surge.SurgeError):
                surge.run(str(SCENARIO), runs=2, seed=1, out=out, force=force)
            assert _tree(user) == before, (out, force)


def test_the_gil_is_released_while_runs_go_on():
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    t.start()
    start = time.perf_counter()
    surge.run(str(SCENARIO), runs=200, seed=1, threads=1, parameters="fixed")
    end = time.perf_counter()
    stop.set()
    t.join()
    during = [x for x in ticks if start < x < end]
    # The other thread kept running through the call (it would stall if the GIL were held).
    assert len(during) > 10, len(during)


def test_ctrl_c_raises_at_once_and_writes_nothing(tmp_path):
    out = tmp_path / "interrupted"
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        surge.run(str(SCENARIO), runs=4000, seed=1, threads=1, out=out)
    timer.cancel()
    assert not out.exists()


def test_bad_options_are_refused():
    with pytest.raises(surge.SurgeError, match="engine"):
        surge.run(str(SCENARIO), runs=2, engine="quantum")
    with pytest.raises(surge.SurgeError, match="sampler"):
        surge.run(str(SCENARIO), runs=2, sampler="fast")
    with pytest.raises(surge.SurgeError, match="step_rule"):
        surge.run(str(SCENARIO), runs=2, step_rule="leaping")
    assert isinstance(pd.DataFrame(), pd.DataFrame)


def test_sweep_writes_what_surge_sweep_writes(tmp_path):
    cli = tmp_path / "cli"
    subprocess.run([surge_binary(), "sweep", str(SCENARIO), "--vary",
                    "event.duration_hours=2:8:2", "--runs", "4", "--seed", "1", "--quiet",
                    "--out", str(cli)], check=True)
    out = surge.sweep(str(SCENARIO), {"event.duration_hours": (2, 8, 2)}, runs=4, seed=1,
                      out=tmp_path / "py")
    table = out.table("sweep")
    assert len(table) == 2
    assert (cli / "sweep.csv").read_bytes() == (out.folder / "sweep.csv").read_bytes()
    assert out.plot("sweep")[:4] == b"\x89PNG"
    with pytest.raises(surge.ScenarioError, match="--vary"):
        surge.sweep(str(SCENARIO), ["event.duration_hours=2"], runs=2)


def test_sensitivity_runs_as_many_runs_a_point_as_the_cli():
    import inspect
    default = inspect.signature(surge.sensitivity).parameters["runs"].default
    assert default == surge._surge.RUNS_PER_POINT == 8


def test_sensitivity_compare_and_fit_give_their_tables(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the default priors and observations are the repo's
    morris = surge.sensitivity(str(SCENARIO), samples=2, runs=2, bootstrap=10)
    indices = morris.table("sensitivity")
    assert {"figure", "factor"} <= set(indices.columns) and len(indices) > 0
    a = surge.run(str(SCENARIO), runs=6, seed=4, parameters="fixed")
    b = surge.run(surge.Scenario.from_file(SCENARIO).with_values({"event.duration_hours": 12}),
                  runs=6, seed=4, parameters="fixed")
    cmp = surge.compare(a, b, app="telegram")
    assert len(cmp.table("compare")) > 0
    with pytest.raises(surge.SurgeError, match="two or more"):
        surge.compare(a)
    fitted = surge.fit(particles=20, generations=1, max_simulations=60, draws=4)
    assert len(fitted.table("posterior")) == 20
    assert fitted.json("fit")["simulations"] >= 20


def test_tables_read_as_pandas_users_expect(tmp_path):
    r = surge.run(str(SCENARIO), runs=6, seed=3)
    ts = r.timeseries
    assert str(ts["time_utc"].dtype) == "datetime64[ns, UTC]"
    runs = r.runs
    assert runs["run"].dtype == "int64"
    assert all(runs[c].dtype == "float64" for c in runs.columns if c != "run")
    # One name per figure: the headline's `figure` is the table's and runs.csv's (after `app.`).
    h = r.headline
    for app, figure in zip(h["app"], h["figure"]):
        assert f"{app}.{figure}" in runs.columns
    assert "attempt_rate_peak" in set(h["figure"])
    assert {"app", "region", "kind", "share_of_runs"} <= set(r.limits.columns)


def test_report_after_save_writes_into_the_saved_folder(tmp_path):
    r = surge.run(str(SCENARIO), runs=4, seed=1)
    saved = r.save(tmp_path / "kept")
    page = r.report()
    assert page == saved / "report.html"
    assert page.is_file()


def test_with_values_names_the_values_and_blames_them(tmp_path):
    s = surge.Scenario.from_file(SCENARIO)
    eight = s.with_values({"event.duration_hours": 8})
    assert eight.name == "facebook-2021-10-04 (event.duration_hours=8)"
    with pytest.raises(surge.ScenarioError) as e:
        s.with_values({"event.duration_hourz": 8})
    message = str(e.value)
    assert message.startswith("with_values({'event.duration_hourz': 8})")
    assert "did you mean `duration_hours`" in message
    assert ".toml:" not in message


BRAZIL = ROOT / "scenarios" / "brazil-block-2015-12.toml"
OBSERVED = ROOT / "data" / "nowcast-brazil-2015-12-3h.csv"


def test_nowcast_from_a_dataframe_writes_what_surge_nowcast_writes(tmp_path):
    cli, py = tmp_path / "cli", tmp_path / "py"
    subprocess.run([surge_binary(), "nowcast", str(BRAZIL), "--observed", str(OBSERVED),
                    "--runs", "40", "--particles", "40", "--seed", "5", "--threads", "2",
                    "--quiet", "--out", str(cli)], check=True)
    frame = pd.read_csv(OBSERVED)
    frame["since_utc"] = pd.to_datetime(frame["since_utc"], utc=True)
    r = surge.nowcast(str(BRAZIL), frame, runs=40, particles=40, seed=5, threads=1, out=py)
    names = sorted(p.name for p in cli.iterdir())
    assert names == sorted(p.name for p in py.iterdir())
    for name in names:
        # nowcast.json names the observed file (here a private copy), and the manifest its hash
        if name not in ("nowcast.json", "surge-manifest.json"):
            assert (cli / name).read_bytes() == (py / name).read_bytes(), name
    ours, theirs = r.json("nowcast"), surge.Output(cli).json("nowcast")
    ours.pop("observed"), theirs.pop("observed")
    assert ours == theirs
    assert ours["particles"] == 40 and ours["effective_sample_size"] > 1
    assert len(r.headline) > 0


def test_a_bad_observed_row_raises_with_its_line():
    frame = pd.read_csv(OBSERVED)
    frame.loc[0, "app"] = "telegarm"
    with pytest.raises(surge.ScenarioError, match=r"observed\.csv:2:1: .*did you mean `telegram`"):
        surge.nowcast(str(BRAZIL), frame, runs=4, particles=10)
