"""Parameter sweeps: declarative experiments, resumable runs, sensitivity analysis.

Typical use::

    from simulation.experiments import load_experiment, run_sweep, analyse
    exp = load_experiment("experiments/quick.toml")
    run_sweep(exp, "results/quick", workers=2)
    result = analyse("results/quick")

Modules
-------
spec
    The experiment TOML schema and its validation.
design
    Grid, Latin hypercube, Sobol/Saltelli and Morris designs; per-run seeds.
store
    Atomic Parquet chunks, committed-chunk reading, resume.
runner
    Local worker processes or a Dask cluster, with a progress bar.
first_use
    On a cold numba cache, a notice with its own spinner before the progress bar.
coverage
    The runs stored against the plan: runs recorded of those planned, cells below their replicates.
analysis
    Summaries with confidence intervals, Sobol/Morris indices with their signs, plots; what each design allows.
robust, robust_report
    Robustness designs (uncertainties x lever settings): claims' share of the uncertainty
    space, regret, and the written report.
discovery
    Scenario discovery: PRIM boxes (ema-workbench).
calibration, calibration_plots
    Fitting uncertain parameters to observed targets by ABC-SMC (pyabc); prior against posterior and
    predictive against observed plots.
record_calibration
    The behavioural parameters fitted to the published record (``python -m simulation calibrate``) over
    England's systems, a posterior-predictive check of every target, and a posterior summary as a scenario.
figures, workers
    Figures without pyplot; worker processes that exit with their parent.
"""

from .design import build_design, run_plan, run_seed
from .runner import RunBatch, RunConfig, SweepReport, execute_runs, run_sweep
from .spec import DESIGNS, OUTCOMES, Experiment, Parameter, experiment_from_dict, load_experiment
from .store import ResultStore, read_table

__all__ = [
    "DESIGNS",
    "OUTCOMES",
    "Experiment",
    "Parameter",
    "ResultStore",
    "RunBatch",
    "RunConfig",
    "SweepReport",
    "analyse",
    "calibrate",
    "load_calibration",
    "build_design",
    "execute_runs",
    "experiment_from_dict",
    "load_experiment",
    "read_table",
    "run_plan",
    "run_seed",
    "run_sweep",
]


def __getattr__(name: str):
    # analysis pulls in matplotlib and SALib: import it only when asked for
    if name == "analyse":
        from .analysis import analyse

        return analyse
    if name in ("calibrate", "load_calibration"):
        from . import calibration

        return getattr(calibration, name)
    raise AttributeError(name)
