from os import PathLike
from typing import List, Optional, Sequence, Tuple, Union

_Path = Union[str, PathLike]

class SurgeError(Exception): ...
class ScenarioError(SurgeError): ...

RUNS_PER_POINT: int

def check(path: _Path, text: Optional[str] = ..., values: Sequence[Tuple[str, float]] = ...) -> str: ...
def run(path: _Path, out: _Path, text: Optional[str] = ..., values: Sequence[Tuple[str, float]] = ...,
        runs: Optional[int] = ..., seed: Optional[int] = ..., threads: int = ...,
        parameters: str = ..., engine: Optional[str] = ..., sampler: Optional[str] = ..., step_rule: Optional[str] = ...,
        spaghetti: Optional[int] = ..., force: bool = ..., width: int = ...,
        height: int = ...) -> str: ...
def nowcast(path: _Path, observed: _Path, out: _Path, text: Optional[str] = ...,
            values: Sequence[Tuple[str, float]] = ..., runs: Optional[int] = ...,
            seed: Optional[int] = ..., threads: int = ..., particles: int = ...,
            parameters: str = ..., spaghetti: Optional[int] = ..., force: bool = ...,
            width: int = ..., height: int = ...) -> str: ...
def plot(folder: _Path, width: int = ..., height: int = ...) -> List[str]: ...
def report(folder: _Path) -> str: ...
def sweep(path: _Path, out: _Path, vary: Sequence[str], design: str = ..., samples: Optional[int] = ...,
          runs: Optional[int] = ..., seed: Optional[int] = ..., figure: Optional[str] = ...,
          threads: int = ..., parameters: str = ..., engine: Optional[str] = ...,
          sampler: Optional[str] = ..., step_rule: Optional[str] = ..., force: bool = ..., width: int = ..., height: int = ...) -> str: ...
def sensitivity(path: _Path, out: _Path, method: str = ..., samples: Optional[int] = ...,
                ranges: Sequence[str] = ..., priors: _Path = ..., runs: int = ..., seed: Optional[int] = ...,
                levels: int = ..., bootstrap: int = ..., figures: Sequence[str] = ..., threads: int = ...,
                params: Optional[_Path] = ..., engine: Optional[str] = ..., sampler: Optional[str] = ..., step_rule: Optional[str] = ...,
                force: bool = ..., width: int = ..., height: int = ...) -> str: ...
def compare(dirs: Sequence[_Path], out: _Path, metric: str = ..., app: Optional[str] = ...,
            width: int = ..., height: int = ...) -> str: ...
def fit(out: _Path, observations: _Path = ..., priors: _Path = ..., params: _Path = ...,
        particles: int = ..., generations: int = ..., max_simulations: int = ..., draws: int = ...,
        seed: int = ..., threads: int = ..., hold_out: Optional[str] = ..., width: int = ...,
        height: int = ...) -> str: ...
