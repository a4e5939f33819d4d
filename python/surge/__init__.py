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
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Dict, Mapping, Optional, Union

import pandas as pd

from . import _surge
from ._surge import ScenarioError, SurgeError

__all__ = ["Scenario", "Result", "run", "ScenarioError", "SurgeError"]

PathLike = Union[str, "os.PathLike[str]"]


class Scenario:
    """A validated scenario: a file (or TOML text) and the what-if values set on it."""

    def __init__(self, path: PathLike, text: Optional[str] = None,
                 values: Optional[Mapping[str, float]] = None):
        self.path = str(path)
        self.text = text
        self.values: Dict[str, float] = dict(values or {})
        # The same checks as `surge check`, with the same messages (file, key, line).
        self.name: str = _surge.check(self.path, self.text, self._pairs())

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
        return Scenario(self.path, self.text, merged)

    def _pairs(self):
        return sorted(self.values.items())

    def __repr__(self) -> str:
        extra = f", values={self.values}" if self.values else ""
        return f"Scenario({self.name!r} from {self.path!r}{extra})"


class Result:
    """What a run wrote: the same files as ``surge run`` in ``folder``, read as DataFrames."""

    def __init__(self, folder: PathLike, owned: Optional[tempfile.TemporaryDirectory] = None):
        self.folder = Path(folder)
        self._owned = owned  # a temporary folder removed with the result
        self.summary: dict = json.loads((self.folder / "summary.json").read_text())

    @property
    def headline(self) -> pd.DataFrame:
        """The headline figures: app, metric, window_hours, mean, p05, p50, p95, mcse."""
        return pd.DataFrame(self.summary["headline"])

    @property
    def timeseries(self) -> pd.DataFrame:
        """timeseries.csv: per time, app, region and metric, the mean and quantiles."""
        return pd.read_csv(self.folder / "timeseries.csv")

    @property
    def runs(self) -> pd.DataFrame:
        """runs.csv: one row per run, its headline figures."""
        return pd.read_csv(self.folder / "runs.csv")

    def save(self, folder: PathLike, force: bool = False) -> Path:
        """Copies every file (exactly what ``surge run`` writes) into ``folder`` at once (a
        staging folder beside it, then a rename). A folder that holds files is refused unless
        ``force``, which replaces it whole."""
        target = Path(folder)
        if target.exists() and not target.is_dir():
            raise SurgeError(f"{target} is a file, not a folder")
        if target.exists() and any(target.iterdir()) and not force:
            raise SurgeError(f"{target} is not empty; give a new or empty folder, or force=True")
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            for f in self.folder.iterdir():
                if f.is_file():
                    shutil.copy2(f, staging / f.name)
            if target.exists():
                shutil.rmtree(target)
            os.replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return target

    def plot(self, kind: str = "adoption") -> bytes:
        """The PNG bytes of a plot: ``adoption``, ``rate`` or ``regions``."""
        path = self.folder / f"{kind}.png"
        if not path.is_file():
            raise SurgeError(f"no plot {kind!r}; expected adoption, rate or regions")
        return path.read_bytes()

    def _repr_png_(self) -> bytes:
        return self.plot("adoption")

    def __repr__(self) -> str:
        s = self.summary
        return f"Result({s['scenario']['name']!r}, {s['runs']} runs, seed {s['seed']}, in {str(self.folder)!r})"


def run(scenario: Union[Scenario, PathLike], runs: Optional[int] = None,
        seed: Optional[int] = None, threads: int = 0, parameters: str = "posterior",
        engine: Optional[str] = None, sampler: Optional[str] = None,
        spaghetti: Optional[int] = None, out: Optional[PathLike] = None,
        force: bool = False, width: int = 1600, height: int = 1000) -> Result:
    """Runs a scenario's Monte Carlo runs, as ``surge run`` does, and returns the Result.

    ``parameters``: "posterior" (the fit's posterior beside the parameter file, the default),
    "fixed" (its values in every run), a parameter file (.toml) or posterior samples (.csv).
    ``engine``: "cohort" or "agents" (default: the scenario's); ``sampler``: "exact" or
    "hybrid". ``out``: the folder to write, whole, when the runs are done (default: a
    temporary one, removed with the Result; a folder that holds files needs ``force``). The
    GIL is released while the runs go on, and Ctrl-C raises KeyboardInterrupt at once with
    nothing written.
    """
    if not isinstance(scenario, Scenario):
        scenario = Scenario.from_file(scenario)
    # The runs write into a private folder; only a finished run is kept (and moved to `out`),
    # so Ctrl-C (KeyboardInterrupt) leaves nothing half-written.
    private = tempfile.TemporaryDirectory(prefix="surge-")
    folder = Path(private.name) / scenario.name
    box: dict = {}

    def work():
        try:
            box["folder"] = _surge.run(
                scenario.path, str(folder), text=scenario.text, values=scenario._pairs(),
                runs=runs, seed=seed, threads=threads, parameters=str(parameters),
                engine=engine, sampler=sampler, spaghetti=spaghetti, width=width,
                height=height)
        except BaseException as e:  # handed to the caller below
            box["error"] = e

    worker = threading.Thread(target=work, name="surge-run", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.05)
    except KeyboardInterrupt:
        # The library cannot stop a run midway: it finishes in the background, into the private
        # folder, which is removed when it ends. `out` is untouched.
        threading.Thread(target=lambda: (worker.join(), private.cleanup()), daemon=True).start()
        raise
    if "error" in box:
        private.cleanup()
        raise box["error"]
    result = Result(box["folder"], private)
    if out is not None:
        return Result(result.save(out, force=force))
    return result
