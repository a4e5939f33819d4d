"""surge from Python: where people go when the app they rely on goes down.

A thin layer over surge's Rust library (``surge._surge``): the same validation, the same runs
and the same files as the ``surge`` command line, with pandas DataFrames out.

    import surge
    s = surge.Scenario.from_file("scenarios/facebook-2021-10-04.toml")
    r = surge.run(s.with_values({"event.duration_hours": 8}), runs=200, seed=1)
    r.headline            # one row per app, figure and window, as summary.json's headline
    r.timeseries          # timeseries.csv
    r.save("output/eight-hours")
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Dict, Mapping, Optional, Union

import pandas as pd

from . import _surge
from ._surge import ScenarioError, SurgeError

__all__ = ["Scenario", "Output", "Result", "run", "nowcast", "sweep", "sensitivity", "compare", "fit",
           "ScenarioError", "SurgeError"]

PathLike = Union[str, "os.PathLike[str]"]


class Scenario:
    """A validated scenario: a file (or TOML text) and the what-if values set on it."""

    def __init__(self, path: PathLike, text: Optional[str] = None,
                 values: Optional[Mapping[str, float]] = None):
        self.path = str(path)
        self.text = text
        self.values: Dict[str, float] = dict(values or {})
        # The same checks as `surge check`, with the same messages (file, key, line).
        name: str = _surge.check(self.path, self.text, self._pairs())
        # What-if values are part of the name (and so of the run's folder and of compare's
        # labels): "facebook-2021-10-04 (event.duration_hours=8)".
        if self.values:
            changed = ", ".join(f"{k}={v:g}" for k, v in self._pairs())
            name = f"{name} ({changed})"
        self.name = name

    @classmethod
    def from_file(cls, path: PathLike) -> "Scenario":
        """Reads and validates a scenario file; raises ScenarioError naming the key and line."""
        return cls(path)

    @classmethod
    def from_toml(cls, text: str, path: PathLike = "scenario.toml") -> "Scenario":
        """Validates a scenario given as TOML text; ``path`` names it in messages and anchors
        its relative paths (the parameter file) as a file there would."""
        return cls(path, text=text)

    def with_values(self, values: Mapping[str, float]) -> "Scenario":
        """The scenario with each key set (``event.duration_hours``, ``apps.telegram.capacity``,
        ``looking.word_of_mouth_per_hour``: the keys ``surge sweep --vary`` takes)."""
        merged = dict(self.values)
        merged.update({k: float(v) for k, v in values.items()})
        try:
            return Scenario(self.path, self.text, merged)
        except ScenarioError as e:
            # The file itself is valid (it was checked): the fault is in a value given here,
            # so the message names that value, not a line of the file the user did not write.
            message = re.sub(r"^.*?:\d+:\d+: ", "", str(e))
            given = {k: v for k, v in values.items() if f"`{k}`" in message} or dict(values)
            raise ScenarioError(f"with_values({given}): {message}") from None

    def _pairs(self):
        return sorted(self.values.items())

    def __repr__(self) -> str:
        extra = f", values={self.values}" if self.values else ""
        return f"Scenario({self.name!r} from {self.path!r}{extra})"


class Output:
    """A command's output folder (the same files as the command line writes), read lazily."""

    def __init__(self, folder: PathLike, owned: Optional[tempfile.TemporaryDirectory] = None):
        self.folder = Path(folder)
        self._owned = owned  # a temporary folder removed with the output

    def table(self, name: str) -> pd.DataFrame:
        """A CSV file of the folder as a DataFrame (``sweep``, ``sensitivity``, ``compare``...)."""
        return pd.read_csv(self.folder / f"{name}.csv")

    def json(self, name: str) -> dict:
        """A JSON file of the folder (``summary``, ``fit``...)."""
        return json.loads((self.folder / f"{name}.json").read_text())

    def save(self, folder: PathLike, force: bool = False) -> Path:
        """Copies every file into ``folder`` at once (a staging folder beside it, then a
        rename), by the command line's rule: ``folder`` may be new, empty, or hold only results
        surge wrote (its ``surge-manifest.json``); ``force`` lets it replace another scenario's
        or command's results. A folder holding anything else, or the working folder, is refused
        with SurgeError, ``force`` or not."""
        saved = Path(_surge.save(str(self.folder), str(folder), force))
        # From here on the output is the saved folder: report() and plot() write and read there.
        self.folder = saved
        return saved

    def report(self) -> Path:
        """Writes the folder's self-contained report.html (as ``surge report``) and returns
        its path: one page to hand on, with the plots, tables and what reproduces them."""
        return Path(_surge.report(str(self.folder)))

    def plot(self, kind: str) -> bytes:
        """The PNG bytes of one of the folder's plots (``adoption``, ``sweep``, ...)."""
        path = self.folder / f"{kind}.png"
        if not path.is_file():
            found = sorted(p.stem for p in self.folder.glob("*.png"))
            raise SurgeError(f"no plot {kind!r}; expected one of {', '.join(found)}")
        return path.read_bytes()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.folder)!r})"


class Result(Output):
    """What a run wrote: the same files as ``surge run`` in ``folder``, read as DataFrames."""

    def __init__(self, folder: PathLike, owned: Optional[tempfile.TemporaryDirectory] = None):
        super().__init__(folder, owned)
        self.summary: dict = self.json("summary")

    @property
    def headline(self) -> pd.DataFrame:
        """The headline figures: app, figure (the name the printed table and runs.csv use, e.g.
        ``registration_rate_peak``), metric, window_hours, mean, p05, p50, p95, mcse."""
        df = pd.DataFrame(self.summary["headline"])
        df.insert(1, "figure", [_figure_label(m, w) for m, w in zip(df["metric"], df["window_hours"])])
        return df

    @property
    def timeseries(self) -> pd.DataFrame:
        """timeseries.csv: per time, app, region and metric, the mean and quantiles;
        ``time_utc`` as ``datetime64[ns, UTC]``."""
        df = self.table("timeseries")
        df["time_utc"] = pd.to_datetime(df["time_utc"], utc=True)
        return df

    @property
    def runs(self) -> pd.DataFrame:
        """runs.csv: one row per run (``run``, int64), then each figure as ``app.figure``
        (float64 every one, whatever its values)."""
        df = self.table("runs")
        figures = [c for c in df.columns if c != "run"]
        df[figures] = df[figures].astype("float64")
        return df

    @property
    def limits(self) -> pd.DataFrame:
        """limits.csv: every sign-up limit, earliest to break first (share of runs reaching it,
        when they first do, how long it holds, the longest wait behind it)."""
        return self.table("limits")

    def plot(self, kind: str = "adoption") -> bytes:
        """The PNG bytes of a plot: ``adoption``, ``rate`` or ``regions``."""
        return super().plot(kind)

    def _repr_png_(self) -> bytes:
        return self.plot("adoption")

    def __repr__(self) -> str:
        s = self.summary
        return f"Result({s['scenario']['name']!r}, {s['runs']} runs, seed {s['seed']}, in {str(self.folder)!r})"


def _figure_label(metric: str, window_hours) -> str:
    """A headline figure's name as the table and runs.csv give it: ``arrivals_24h``,
    ``registration_rate_peak``, ``queue_wait_max``."""
    if window_hours is not None and not pd.isna(window_hours):
        return f"{metric}_{window_hours:g}h"
    return "queue_wait_max" if metric == "queue_wait" else f"{metric}_peak"


def _in_background(call, name: str, out: Optional[PathLike], force: bool, kind=Output):
    """Runs ``call(folder)`` (a library call that writes ``folder`` whole) on a worker thread,
    into a private folder; returns its output, moved to ``out`` if given. Ctrl-C raises
    KeyboardInterrupt at once and leaves ``out`` untouched: the library cannot stop midway, so
    the work finishes in the background and its private folder is removed when it ends."""
    private = tempfile.TemporaryDirectory(prefix="surge-")
    folder = Path(private.name) / name
    box: dict = {}

    def work():
        try:
            box["folder"] = call(str(folder))
        except BaseException as e:  # handed to the caller below
            box["error"] = e

    worker = threading.Thread(target=work, name="surge-" + name, daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.05)
    except KeyboardInterrupt:
        threading.Thread(target=lambda: (worker.join(), private.cleanup()), daemon=True).start()
        raise
    if "error" in box:
        private.cleanup()
        raise box["error"]
    result = kind(box["folder"], private)
    if out is not None:
        return kind(result.save(out, force=force))
    return result


def _scenario(scenario) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else Scenario.from_file(scenario)


def run(scenario: Union[Scenario, PathLike], runs: Optional[int] = None,
        seed: Optional[int] = None, threads: int = 0, parameters: str = "posterior",
        engine: Optional[str] = None, sampler: Optional[str] = None,
        step_rule: Optional[str] = None,
        spaghetti: Optional[int] = None, out: Optional[PathLike] = None,
        force: bool = False, width: int = 1600, height: int = 1000) -> Result:
    """Runs a scenario's Monte Carlo runs, as ``surge run`` does, and returns the Result.

    ``parameters``: "posterior" (the fit's posterior beside the parameter file, the default),
    "fixed" (its values in every run), a parameter file (.toml) or posterior samples (.csv).
    ``engine``: "cohort" or "agents" (default: the scenario's); ``sampler``: "exact" or
    "hybrid"; ``step_rule``: "fixed" or "adaptive" (default: the scenario's, which is adaptive
    on the cohort engine unless it says fixed; docs/MODEL.md §1, "Steps"). ``out``: the folder to write, whole, when the runs are done (default: a
    temporary one, removed with the Result; a folder that holds files needs ``force``). The
    GIL is released while the runs go on, and Ctrl-C raises KeyboardInterrupt at once with
    nothing written.
    """
    scenario = _scenario(scenario)

    def call(folder):
        return _surge.run(
            scenario.path, folder, text=scenario.text, values=scenario._pairs(), runs=runs,
            seed=seed, threads=threads, parameters=str(parameters), engine=engine,
            sampler=sampler, step_rule=step_rule, spaghetti=spaghetti, width=width,
            height=height)

    return _in_background(call, scenario.name, out, force, Result)


def nowcast(scenario: Union[Scenario, PathLike], observed, runs: Optional[int] = None,
            seed: Optional[int] = None, threads: int = 0, particles: int = 400,
            parameters: str = "posterior", spaghetti: Optional[int] = None,
            out: Optional[PathLike] = None, force: bool = False, width: int = 1600,
            height: int = 1000) -> Result:
    """Conditions a scenario's forecast on the counts observed so far, as ``surge nowcast``
    does, and returns the Result (its folder also holds ``nowcast.json``:
    ``result.json("nowcast")``).

    ``observed``: a DataFrame with the columns ``app, region, metric, since_utc, time_utc,
    value`` and optionally ``low, high`` (times as ISO 8601 strings or timezone-aware
    timestamps), or the path of such a CSV file. A DataFrame is written to ``observed.csv``
    in a private folder first, so an error's line is the DataFrame's row + 2 (the header is
    line 1). ``parameters``: "posterior" (default) or posterior samples (.csv): the fit whose
    posterior is the starting point.
    """
    scenario = _scenario(scenario)
    private = tempfile.TemporaryDirectory(prefix="surge-observed-")
    if isinstance(observed, pd.DataFrame):
        frame = observed.copy()
        for column in ("since_utc", "time_utc"):
            if column in frame and pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        path = Path(private.name) / "observed.csv"
        frame.to_csv(path, index=False)
    else:
        path = Path(observed)

    def call(folder):
        return _surge.nowcast(
            scenario.path, str(path), folder, text=scenario.text, values=scenario._pairs(),
            runs=runs, seed=seed, threads=threads, particles=particles,
            parameters=str(parameters), spaghetti=spaghetti, width=width, height=height)

    result = _in_background(call, scenario.name + "-nowcast", out, force, Result)
    # (After an error or Ctrl-C the private folder goes when it is collected: the work may
    # still be reading it.)
    private.cleanup()
    return result


def _vary(vary) -> list:
    """{"event.duration_hours": (2, 12, 6)} or ["event.duration_hours=2:12:6"] -> strings."""
    if isinstance(vary, Mapping):
        return ["%s=%s" % (k, ":".join(str(x) for x in v)) if not isinstance(v, str)
                else "%s=%s" % (k, v) for k, v in vary.items()]
    return [str(v) for v in vary]


def sweep(scenario, vary, design: str = "grid", samples: Optional[int] = None,
          runs: Optional[int] = None, seed: Optional[int] = None, figure: Optional[str] = None,
          threads: int = 0, parameters: str = "posterior", engine: Optional[str] = None,
          sampler: Optional[str] = None, step_rule: Optional[str] = None,
          out: Optional[PathLike] = None, force: bool = False,
          width: int = 1600, height: int = 1000) -> Output:
    """``surge sweep``: the scenario at every point of a design. ``vary``: a dict of
    key -> (from, to, steps) or (from, to, steps, "log"), or the command line's
    "KEY=FROM:TO:STEPS" strings. ``.table("sweep")`` is sweep.csv."""
    s = _scenario(scenario)
    specs = _vary(vary)
    return _in_background(
        lambda folder: _surge.sweep(s.path, folder, specs, design=design, samples=samples,
                                    runs=runs, seed=seed, figure=figure, threads=threads,
                                    parameters=str(parameters), engine=engine,
                                    sampler=sampler, step_rule=step_rule, width=width,
                                    height=height),
        s.name + "-sweep", out, force)


def sensitivity(scenario, method: str = "morris", samples: Optional[int] = None, ranges=(),
                priors: PathLike = "params/priors.toml", runs: int = _surge.RUNS_PER_POINT,
                seed: Optional[int] = None, levels: int = 4, bootstrap: int = 1000,
                figures=(), threads: int = 0, params: Optional[PathLike] = None,
                engine: Optional[str] = None, sampler: Optional[str] = None,
                step_rule: Optional[str] = None,
                out: Optional[PathLike] = None, force: bool = False, width: int = 1600,
                height: int = 1000) -> Output:
    """``surge sensitivity``: Morris or Sobol indices. ``ranges`` as ``sweep``'s ``vary``
    (key -> (low, high)); by default the priors'. ``.table("sensitivity")`` is the indices."""
    s = _scenario(scenario)
    specs = _vary(ranges)
    return _in_background(
        lambda folder: _surge.sensitivity(
            s.path, folder, method=method, samples=samples, ranges=specs, priors=str(priors),
            runs=runs, seed=seed, levels=levels, bootstrap=bootstrap, figures=list(figures),
            threads=threads, params=None if params is None else str(params), engine=engine,
            sampler=sampler, step_rule=step_rule, width=width, height=height),
        f"{s.name}-{method}", out, force)


def compare(*results, metric: str = "arrivals", app: Optional[str] = None,
            out: Optional[PathLike] = None, force: bool = False, width: int = 1600,
            height: int = 1000) -> Output:
    """``surge compare``: runs (Results or run folders, the first the reference) on one chart,
    with paired differences. ``.table("compare")`` is compare.csv."""
    dirs = [str(r.folder if isinstance(r, Output) else r) for r in results]
    return _in_background(
        lambda folder: _surge.compare(dirs, folder, metric=metric, app=app, width=width,
                                      height=height),
        "compare", out, force)


def fit(observations: PathLike = "data/observations.toml",
        priors: PathLike = "params/priors.toml", params: PathLike = "params/default.toml",
        particles: int = 300, generations: int = 12, max_simulations: int = 40_000,
        draws: int = 200, seed: int = 1, threads: int = 0, hold_out: Optional[str] = None,
        out: Optional[PathLike] = None, force: bool = False, width: int = 1600,
        height: int = 1000) -> Output:
    """``surge fit``: ABC-SMC to the reported figures. ``.table("posterior")`` is the weighted
    particles, ``.json("fit")`` the report (parameters, observations, generations)."""
    return _in_background(
        lambda folder: _surge.fit(folder, observations=str(observations), priors=str(priors),
                                  params=str(params), particles=particles,
                                  generations=generations, max_simulations=max_simulations,
                                  draws=draws, seed=seed, threads=threads, hold_out=hold_out,
                                  width=width, height=height),
        "fit", out, force)
