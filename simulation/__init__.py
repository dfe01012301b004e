"""speed-of-trust: trust between health and care leaders, and the pace of integration.

An agent-based model (Mesa + networkx + numpy) of how pairwise trust between
the leaders of NHS trusts, councils and voluntary bodies builds up and breaks
down, and how that sets the speed at which a local system integrates.

Public API
----------
Scenario, load_scenario, shipped_scenarios
    Parameters, validated; TOML files.
Place, generate_place, place_from_graph, place_from_csv
    Organisations and relationships.
TrustModel
    The compiled kernel as a Mesa model (one month a step).
ReferenceTrustModel
    The same rules, per agent: the readable specification and test oracle.
run
    One run from scenario and seed to tidy DataFrames.
run_batch, run_replicates
    Many runs through the compiled kernel (each its own parameters, place and
    seed; or replicates of one parameter set), each equal to ``run`` with the
    same seed.
rules
    The model's rules, each once, as scalar functions.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from . import rules
from .kinds import TRAITS, OrganisationKind, TraitDistribution, default_kinds
from .scenario import PARAMETERS, ParameterSpec, Scenario, ScenarioError, load_scenario, shipped_scenarios

# The engines, places and runs load on first use (PEP 562), so that a sweep's worker process, which
# needs only the kernel, does not import Mesa and networkx.
_LAZY = {
    "run_batch": "batch", "run_replicates": "batch", "TrustModel": "model", "summarise_run": "outcomes",
    "time_to_level": "outcomes", "Place": "place", "generate_place": "place", "place_from_csv": "place",
    "place_from_graph": "place", "ReferenceTrustModel": "reference", "RunResult": "results", "run": "runs",
}

if TYPE_CHECKING:
    from .batch import run_batch, run_replicates
    from .model import TrustModel
    from .outcomes import summarise_run, time_to_level
    from .place import Place, generate_place, place_from_csv, place_from_graph
    from .reference import ReferenceTrustModel
    from .results import RunResult
    from .runs import run


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


try:
    __version__ = version("speed-of-trust")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "PARAMETERS",
    "TRAITS",
    "OrganisationKind",
    "ParameterSpec",
    "Place",
    "ReferenceTrustModel",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "TraitDistribution",
    "TrustModel",
    "__version__",
    "default_kinds",
    "generate_place",
    "load_scenario",
    "place_from_csv",
    "place_from_graph",
    "rules",
    "run",
    "run_batch",
    "run_replicates",
    "shipped_scenarios",
    "summarise_run",
    "time_to_level",
]

