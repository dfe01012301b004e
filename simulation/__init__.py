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
    The fast (vectorised) engine as a Mesa model.
ReferenceTrustModel
    The same rules, per agent: the readable specification and test oracle.
run
    One run from scenario and seed to tidy DataFrames.
run_replicates
    Many replicates of one parameter set in a compiled kernel, each equal to
    ``run`` with the same seed (imported on first use: it loads numba).
"""

from importlib.metadata import PackageNotFoundError, version

from .kinds import TRAITS, OrganisationKind, TraitDistribution, default_kinds
from .model import TrustModel
from .outcomes import summarise_run, time_to_level
from .place import Place, generate_place, place_from_csv, place_from_graph
from .reference import ReferenceTrustModel
from .runs import RunResult, run
from .scenario import PARAMETERS, ParameterSpec, Scenario, ScenarioError, load_scenario, shipped_scenarios

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
    "run",
    "run_replicates",
    "shipped_scenarios",
    "summarise_run",
    "time_to_level",
]


def __getattr__(name: str):
    # run_replicates loads numba, so it is imported only when asked for
    if name == "run_replicates":
        from .batch import run_replicates

        return run_replicates
    raise AttributeError(f"module 'simulation' has no attribute {name!r}")
