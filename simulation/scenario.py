"""Scenarios: every model parameter, its default, range and meaning, in one place.

A :class:`Scenario` is an immutable, validated set of parameters. It is built
from keyword arguments, a nested mapping or a TOML file; any bad value raises
one :class:`ScenarioError` naming the key and the allowed range.

TOML layout (every table and key optional; missing keys take defaults)::

    [place]
    organisations = { nhs_trust = 6, council = 4, voluntary = 90 }

    [dynamics]
    contact_rate = 1.0

    [interventions]
    shared_roles = 2

    [kinds.primary_care]          # add or override an organisation kind
    label = "Primary care network"
    sector = "nhs"
    statutory = false
    transparency = { mean = 0.5, concentration = 10 }
    ...
    ties = { nhs_trust = 2, council = 1, voluntary = 3 }

Examples
--------
>>> s = Scenario(contact_rate=2.0)
>>> s.contact_rate
2.0
>>> s.replace(open_book=0.5).open_book
0.5
>>> Scenario(gain_rate=1.5)
Traceback (most recent call last):
...
simulation.scenario.ScenarioError: dynamics.gain_rate = 1.5 is out of range: expected a number in [0, 1]
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .calibrated import load_calibrated_defaults
from .kinds import MAX_SIZE, MAX_SIZE_SPREAD, TRAITS, OrganisationKind, TraitDistribution, default_kinds
from .schedule import LeverSchedule, Merger, ScheduleError, Shock, parse_mergers, parse_schedule, parse_shocks

__all__ = [
    "CALIBRATED",
    "check_calibrated",
    "UNCALIBRATED_DEFAULTS",
    "BEHAVIOUR_OFF",
    "PARAMETERS",
    "ParameterSpec",
    "Scenario",
    "ScenarioError",
    "initial_trust_interval",
    "load_scenario",
    "read_toml",
    "shipped_scenarios",
    "SCENARIO_DIR",
]

#: Folder of the scenarios shipped with the package.
SCENARIO_DIR = Path(__file__).parent / "scenarios"


class ScenarioError(ValueError):
    """A scenario, parameter or input file holds a value the model cannot use."""


@dataclass(frozen=True)
class ParameterSpec:
    """Declaration of one scalar model parameter.

    Parameters
    ----------
    name : str
        Keyword name, as passed to :class:`~simulation.TrustModel`.
    section : str
        TOML table the key lives in (``place``, ``dynamics``, ``interventions``).
    kind : type
        ``float``, ``int`` or ``bool``.
    default : float | int | bool
        Value when not given.
    low, high : float
        Inclusive bounds (``math.inf`` for none).
    unit : str
        Unit of the value (``"per month"``, ``"probability"``, ...).
    doc : str
        One-line meaning, used by the CLI, the dashboard and the ODD.
    """

    name: str
    section: str
    kind: type
    default: float | int | bool
    low: float = 0.0
    high: float = math.inf
    unit: str = ""
    doc: str = ""

    @property
    def key(self) -> str:
        """Dotted TOML key, e.g. ``dynamics.gain_rate``."""
        return f"{self.section}.{self.name}"

    def range_text(self) -> str:
        """The allowed values in words, for error messages."""
        if self.kind is bool:
            return "true or false"
        noun = "an integer" if self.kind is int else "a number"
        fmt = _fmt
        if math.isinf(self.high):
            return f"{noun} >= {fmt(self.low)}"
        return f"{noun} in [{fmt(self.low)}, {fmt(self.high)}]"

    def check(self, value: Any) -> float | int | bool:
        """Return ``value`` converted to the parameter's type, or raise.

        Raises
        ------
        ScenarioError
            If the value has the wrong type or lies outside ``[low, high]``.
        """
        if self.kind is bool:
            if isinstance(value, bool | np.bool_):
                return bool(value)
            raise ScenarioError(f"{self.key} = {value!r} has the wrong type: expected true or false")
        if isinstance(value, np.integer | np.floating):  # from samplers and arrays
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(f"{self.key} = {_short(value)} has the wrong type: expected {self.range_text()}")
        if self.kind is int:
            if isinstance(value, float):
                if not value.is_integer():
                    raise ScenarioError(
                        f"{self.key} = {value!r} has the wrong type: expected {self.range_text()}"
                    )
                value = int(value)
        else:
            value = float(value)
        if math.isnan(value) or not (self.low <= value <= self.high):
            raise ScenarioError(
                f"{self.key} = {_short(value)} is out of range: expected {self.range_text()}"
            )
        return value


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


_P = "probability"
_M = "per month"
#: The defaults that are a posterior summary of the calibration to the published record
#: (``simulation/data/calibrated_defaults.toml``, :mod:`simulation.calibrated`).
CALIBRATED = load_calibrated_defaults()


#: The parameters whose default the calibration to the record may set, with the value each was assumed to have
#: before (and has, if the calibration does not fit it): the model as it was before its calibration is
#: ``Scenario(**UNCALIBRATED_DEFAULTS)``.
UNCALIBRATED_DEFAULTS: dict[str, float] = {}


def _calibrated(name: str, assumed: float) -> float:
    """A default that the calibration to the record may fit: the value the calibrated defaults file gives it, else
    ``assumed``."""
    UNCALIBRATED_DEFAULTS[name] = assumed
    return CALIBRATED.values.get(name, assumed)


#: Every scalar parameter of the model, grouped by TOML table.
PARAMETERS: tuple[ParameterSpec, ...] = (
    # --- place -----------------------------------------------------------
    ParameterSpec("initial_trust", "place", float, 0.2, 0, 1, "trust",
                  "mean trust between partners at the start"),
    ParameterSpec("initial_trust_concentration", "place", float, 20.0, 0.1, 1e6, "",
                  "Beta concentration of initial trust (larger: less spread)"),
    ParameterSpec("pressure_spread", "place", float, _calibrated("pressure_spread", 0.5), 0, 5, "logit SD",
                  "how much financial and regulatory pressure differs between places (0: every place has "
                  "competitive_pressure; docs/ODD.md §7.20)"),
    ParameterSpec("history_spread", "place", float, _calibrated("history_spread", 0.5), 0, 5, "logit SD",
                  "how much places' history of competition differs: spread of their mean initial trust"),
    ParameterSpec("demand_spread", "place", float, _calibrated("demand_spread", 0.25), 0, 5, "log SD",
                  "how much the demand on services, and the conflicts it brings, differs between places"),
    # --- dynamics --------------------------------------------------------
    ParameterSpec("contact_rate", "dynamics", float, _calibrated("contact_rate", 1.0), 0, 100, "meetings per month",
                  "expected leader meetings per month in a relationship"),
    ParameterSpec("gain_rate", "dynamics", float, _calibrated("gain_rate", 0.06), 0, 1, _M,
                  "alpha: share of the gap to full trust closed by one unit of good evidence"),
    ParameterSpec("negativity_bias", "dynamics", float, 2.0, 0, 100, "ratio",
                  "lambda: how much more bad evidence weighs than good; beta = alpha * lambda must be <= 1"),
    ParameterSpec("contact_evidence", "dynamics", float, 0.3, 0, 1, "evidence",
                  "good evidence from meeting at all (familiarity)"),
    ParameterSpec("openness_evidence", "dynamics", float, 0.7, 0, 1, "evidence",
                  "good evidence when the partner shares information openly"),
    ParameterSpec("withholding_evidence", "dynamics", float, 0.1, 0, 1, "evidence",
                  "bad evidence when the partner withholds information"),
    ParameterSpec("drift_rate", "dynamics", float, 0.02, 0, 1, _M,
                  "delta: pull of trust back towards the baseline in a month without contact"),
    ParameterSpec("baseline_trust", "dynamics", float, _calibrated("baseline_trust", 0.3), 0, 1, "trust",
                  "trust a leader extends to a stranger; where unused trust drifts to"),
    ParameterSpec("conflict_rate", "dynamics", float, 0.06, 0, 10, "conflicts per month",
                  "base rate of new conflicts in a relationship"),
    ParameterSpec("competitive_pressure", "dynamics", float, 0.5, 0, 1, "index",
                  "financial and regulatory pressure to compete (0 collaborate, 1 compete)"),
    ParameterSpec("cross_sector_conflict", "dynamics", float, 1.5, 0, 100, "multiplier",
                  "conflict multiplier between sectors with different accountabilities"),
    ParameterSpec("resolution_rate", "dynamics", float, 0.8, 0, 1, _P,
                  "chance a conflict is surfaced and resolved at a meeting, at full skill and trust"),
    ParameterSpec("resolution_evidence", "dynamics", float, 0.5, 0, 1, "evidence",
                  "good evidence from resolving a conflict together"),
    ParameterSpec("festering_evidence", "dynamics", float, 0.05, 0, 1, "evidence per conflict",
                  "bad evidence each month from each unresolved conflict"),
    ParameterSpec("altruism_rate", "dynamics", float, 0.2, 0, 1, _P,
                  "chance per meeting that a fully altruistic leader helps the partner"),
    ParameterSpec("altruism_evidence", "dynamics", float, 0.6, 0, 1, "evidence",
                  "good evidence from receiving an altruistic act"),
    ParameterSpec("turnover_rate", "dynamics", float, 1 / 48, 0, 1, _M,
                  "chance a leader leaves in a month (1/48: four-year tenure)"),
    ParameterSpec("turnover_trust_loss", "dynamics", float, 0.5, 0, 1, "share",
                  "share of the way trust falls back to baseline when a leader leaves"),
    ParameterSpec("partnership_threshold", "dynamics", float, 0.45, 0, 1, "trust",
                  "mutual trust at or above which a pair is a partnership"),
    ParameterSpec("introduction_rate", "dynamics", float, 0.01, 0, 1, _M,
                  "chance per month that a shared partner introduces two unconnected leaders"),
    ParameterSpec("introduction_trust", "dynamics", float, 0.4, 0, 1, "trust",
                  "initial trust of a relationship begun by introduction"),
    # --- interventions ---------------------------------------------------
    # behaviour that reads trust (docs/ODD.md §7.18): each strength 0 (group weight 1) gives the earlier rules
    ParameterSpec("reciprocity", "dynamics", float, 1.0, 0, 10, "log-odds",
                  "rho: how much trust in a partner raises the odds of opening the books, helping and surfacing "
                  "conflicts with them (neutral at trust 0.5)"),
    ParameterSpec("contact_reciprocity", "dynamics", float, 0.5, 0, 5, "log-rate",
                  "rho_c: how much a pair's mean trust raises the one-to-ones it asks for (neutral at 0.5)"),
    ParameterSpec("suspicion", "dynamics", float, _calibrated("suspicion", 0.25), 0, 1, "share",
                  "how much less a distrusted partner's good acts count as evidence (0: read at face value)"),
    ParameterSpec("conflict_strain", "dynamics", float, 0.25, 0, 5, "log-odds per conflict",
                  "sigma: how much each festering conflict lowers a pair's contact and cooperation"),
    ParameterSpec("rivalry", "dynamics", float, 1.0, 0, 10, "log-odds",
                  "psi: how much competitive pressure lowers the cooperation of leaders focused on their own "
                  "organisation"),
    ParameterSpec("group_meeting_weight", "dynamics", float, 0.55, 0, 1, "share",
                  "evidence and chance to resolve conflicts a pair gets from a board, forum or cohort meeting, "
                  "relative to a one-to-one (1: a group meeting counts as a one-to-one with open-book and "
                  "altruism draws; below 1: no such draws)"),
    ParameterSpec("intervention_start", "interventions", int, 0, 0, 10_000, "month",
                  "month at which the interventions below take effect"),
    ParameterSpec("shared_roles", "interventions", int, 0, 0, 10_000, "roles",
                  "boundary-spanning leadership roles shared by an NHS body and a council"),
    ParameterSpec("shared_role_contact", "interventions", float, 4.0, 0, 100, "meetings per month",
                  "extra meetings a shared role brings to its pair"),
    ParameterSpec("shared_role_focus_shift", "interventions", float, 0.5, 0, 1, "share",
                  "share of a shared-role leader's institutional focus shifted to the place"),
    # boundary spanners relay (docs/ODD.md §7.21): each 0 gives the earlier rules
    ParameterSpec("role_brokerage", "interventions", float, 0.5, 0, 1, _P,
                  "chance a month that a shared role counts as a partnership for introductions whatever the "
                  "holders' trust: each holder introduces the other to their own partners (0: only partnerships)"),
    ParameterSpec("role_relay", "interventions", float, 0.25, 0, 1, "share",
                  "share of the evidence the holders of a shared role gather about each other that they relay to "
                  "their organisations' frontline teams on that care pathway (0: none)"),
    ParameterSpec("statutory_contact", "interventions", float, 0.0, 0, 100, "meetings per month",
                  "extra one-to-one meetings a month in every relationship between statutory bodies' leaders"),
    ParameterSpec("leadership_development", "interventions", float, 0.0, 0, 1, "share",
                  "development of every leader: share of the gap closed in conflict skill and the other "
                  "boundary skills"),
    ParameterSpec("development_statutory", "interventions", bool, False, 0, 1, "",
                  "leadership development for the statutory bodies' leaders alone (their hours, skills and "
                  "money); false: for every leader"),
    ParameterSpec("open_book", "interventions", float, 0.0, 0, 1, "share",
                  "share of the gap to full transparency closed by open-book agreements"),
    ParameterSpec("open_book_statutory", "interventions", bool, False, 0, 1, "",
                  "open books for the statutory bodies' leaders alone (their hours and their transparency); "
                  "false: for every leader"),
    ParameterSpec("long_term_commitment", "interventions", float, 0.0, 0, 1, "share",
                  "reduction of trust drift and of festering harm by a long-term commitment"),
    ParameterSpec("system_board", "interventions", bool, False, 0, 1, "",
                  "impose a formal system board: ties among all statutory bodies"),
    ParameterSpec("board_contact_rate", "interventions", float, 0.33, 0, 100, "meetings per month",
                  "meetings per month a board tie brings (a quarterly board ~0.33)"),
    ParameterSpec("collaboration_mandate", "interventions", float, 0.0, 0, 1, "share",
                  "share of competitive pressure removed by a regulator mandating collaboration"),
    ParameterSpec("regulator_incentive", "interventions", float, 0.0, -1, 1, "index",
                  "what the regulator rewards: +1 institutional performance only, -1 system performance only"),
    ParameterSpec("health_wellbeing_board", "interventions", bool, False, 0, 1, "",
                  "a Health and Wellbeing Board: councils, NHS bodies and some voluntary bodies meeting together"),
    ParameterSpec("hwb_contact_rate", "interventions", float, 0.25, 0, 100, "meetings per month",
                  "meetings a month of the Health and Wellbeing Board"),
    ParameterSpec("hwb_voluntary_members", "interventions", int, 2, 0, 10_000, "members",
                  "voluntary bodies on the Health and Wellbeing Board, drawn at random"),
    ParameterSpec("hwb_common_cause", "interventions", float, 0.5, 0, 1, "share",
                  "share of the extra cross-sector conflict its members lose by finding common cause"),
    ParameterSpec("pooled_budget", "interventions", float, 0.0, 0, 1, "share",
                  "share of the board members' budgets pooled and allocated by the system board"),
    ParameterSpec("merger_trust_kept", "interventions", float, 0.6, 0, 1, "share",
                  "share of trust the acquirer inherits in the absorbed organisation's relationships"),
    ParameterSpec("merger_disruption", "interventions", float, 0.2, 0, 1, "share",
                  "share of trust the acquirer's own relationships lose in the disruption of a merger"),
    ParameterSpec("board_decision_conflict", "interventions", float, 0.5, 0, 1, _P,
                  "chance a board decision over shared resources is disputed by the member who loses"),
    ParameterSpec("board_authority", "interventions", float, 0.3, 0, 1, _P,
                  "chance a month that the board makes members comply over a festering conflict between them"),
    ParameterSpec("suppressed_resurface", "interventions", float, 0.05, 0, 1, _M,
                  "chance a month that a conflict suppressed by the board's authority resurfaces"),
    # --- the seeds' remaining levers (docs/ODD.md §7.14-7.16) -------------
    ParameterSpec("place_programmes", "interventions", float, 0.0, 0, 12, "cohorts per year",
                  "place-based leadership programme cohorts started a year (0: none)"),
    ParameterSpec("programme_cohort_size", "interventions", int, 12, 2, 10_000, "leaders",
                  "leaders in a cohort, mixed across NHS, councils and voluntary bodies"),
    ParameterSpec("programme_months", "interventions", int, 12, 1, 120, "months",
                  "how long a cohort works together on its place-based challenge"),
    ParameterSpec("programme_contact", "interventions", float, 1.0, 0, 100, "meetings per month",
                  "cohort meetings a month (workshops and challenge work), every member at each"),
    ParameterSpec("programme_tie_contact", "interventions", float, 0.0, 0, 1, "share",
                  "one-to-one contact of the ties a cohort creates, as a share of a new relationship's usual rate"),
    ParameterSpec("programme_growth", "interventions", float, 0.1, 0, 1, _M,
                  "share of the gap to full development a cohort member closes each month"),
    ParameterSpec("programme_focus_shift", "interventions", float, 0.3, 0, 1, "share",
                  "share of institutional focus a fully developed programme graduate shifts to the place"),
    ParameterSpec("development_relationship_effect", "interventions", float, 0.5, 0, 1, "share",
                  "relationship building: share of the gap to a fully telling meeting closed at full development"),
    ParameterSpec("development_power_effect", "interventions", float, 0.3, 0, 1, "share",
                  "sharing power: share of the gap to full altruism closed at full development"),
    ParameterSpec("development_facilitation_effect", "interventions", float, 0.5, 0, 1, "share",
                  "facilitation: share of board disputes prevented, and of forum common cause gained, at full "
                  "development"),
    ParameterSpec("shared_vision", "interventions", float, 0.0, 0, 744, "hours per leader per month",
                  "hours each statutory body's leader gives to developing a shared vision for the place (0: none)"),
    ParameterSpec("vision_hours_scale", "interventions", float, 40.0, 0.1, 10_000, "hours",
                  "hours a month for which a leader's share in the vision closes 63% of its gap each month"),
    ParameterSpec("vision_focus_shift", "interventions", float, 0.3, 0, 1, "share",
                  "share of institutional focus a leader who fully shares the vision shifts to the place"),
    ParameterSpec("vision_common_cause", "interventions", float, 0.5, 0, 1, "share",
                  "share of extra cross-sector conflict lost between two leaders who fully share the vision"),
    ParameterSpec("coproduction", "interventions", float, 0.0, 0, 1, "share",
                  "leaders' citizen-engagement (co-production) skill from training (0: none, 1: full)"),
    ParameterSpec("coproduction_effect", "interventions", float, 0.4, 0, 1, "share",
                  "share of conflicts over priorities prevented at full skill and full community strength"),
    ParameterSpec("community_investment", "interventions", float, 0.0, 0, 1, "share",
                  "councils' investment in community groups and assets, as a share of the full programme"),
    ParameterSpec("community_base", "interventions", float, 0.3, 0, 1, "strength",
                  "strength of the place's community groups without investment (and at the start)"),
    ParameterSpec("community_growth", "interventions", float, 0.05, 0, 1, _M,
                  "share of the gap to what investment sustains the community closes each month"),
    ParameterSpec("voluntary_strength", "interventions", float, 0.5, 0, 10, "share",
                  "extra partnership hours of voluntary bodies per unit of community strength gained"),
    # --- staff delivering care (docs/ODD.md §7.17) ---------------------------
    ParameterSpec("staff_contact", "staff", float, 2.0, 0, 100, "episodes per month",
                  "joint care episodes a month between two organisations' frontline teams, where permitted"),
    ParameterSpec("joint_working_threshold", "staff", float, 0.45, 0, 1, "trust",
                  "mutual leader trust at which leaders permit their teams to work jointly"),
    ParameterSpec("joint_success_base", "staff", float, 0.8, 0, 1, _P,
                  "chance a joint care episode goes well between teams with no trust yet"),
    ParameterSpec("staff_learning", "staff", float, 0.2, 0, 1, "evidence",
                  "evidence about the other team each joint episode gives the staff"),
    ParameterSpec("staff_feedback", "staff", float, 0.05, 0, 1, "evidence",
                  "evidence each joint episode feeds back up to the two leaders"),
    # --- costs: leader-hours (and money) of every activity and lever -------
    ParameterSpec("meeting_hours", "costs", float, 2.0, 0, 100, "hours per leader per meeting",
                  "a one-to-one meeting, with preparation and travel"),
    ParameterSpec("board_meeting_hours", "costs", float, 4.0, 0, 100, "hours per member per meeting",
                  "a system board meeting, with preparation"),
    ParameterSpec("shared_role_hours", "costs", float, 16.0, 0, 744, "hours per leader per month",
                  "the duties of a shared role, for each of its two leaders"),
    ParameterSpec("shared_role_new_time", "costs", float, 0.625, 0, 1, "share",
                  "share of a shared role's hours that is new time, not duties it replaces (1: all new)"),
    ParameterSpec("hwb_meeting_hours", "costs", float, 3.0, 0, 100, "hours per member per meeting",
                  "a Health and Wellbeing Board meeting, with preparation"),
    ParameterSpec("pooled_budget_hours", "costs", float, 6.0, 0, 744, "hours per member per month",
                  "governing a fully pooled budget (scales with the share pooled)"),
    ParameterSpec("organisation_budget", "costs", float, 30.0, 0, 1e6, "million pounds per month",
                  "a statutory member's monthly budget, of which the pooled share is at stake"),
    ParameterSpec("merger_cost", "costs", float, 10.0, 0, 1e6, "million pounds",
                  "one-off cost of a merger (transaction and integration)"),
    ParameterSpec("open_book_hours", "costs", float, 4.0, 0, 744, "hours per leader per month",
                  "preparing and reading shared information under full open-book working"),
    ParameterSpec("development_hours", "costs", float, 6.0, 0, 744, "hours per leader per month",
                  "time in leadership development at full strength"),
    ParameterSpec("development_cost", "costs", float, 400.0, 0, 1e6, "pounds per leader per month",
                  "fees of leadership development at full strength"),
    ParameterSpec("commitment_hours", "costs", float, 2.0, 0, 744, "hours per leader per month",
                  "joint long-term planning under a full long-term commitment"),
    ParameterSpec("programme_hours", "costs", float, 8.0, 0, 744, "hours per member per month",
                  "a cohort member's time on the programme: workshops, cohort meetings and challenge work"),
    ParameterSpec("programme_cost", "costs", float, 500.0, 0, 1e6, "pounds per member per month",
                  "fees of a place-based programme per cohort member"),
    ParameterSpec("coproduction_hours", "costs", float, 6.0, 0, 744, "hours per leader per month",
                  "training in and doing co-production with citizens, at full skill"),
    ParameterSpec("community_investment_cost", "costs", float, 0.5, 0, 1e6, "million pounds per month",
                  "the councils' full community-investment programme"),
)

#: The settings of docs/ODD.md §7.18-7.21 under which the model is the one before behaviour read trust: every
#: strength 0, group meetings counted as one-to-ones, places alike, every hour of a shared role new time, shared
#: roles relaying nothing. Tests
#: of the earlier rules in isolation, and comparisons with the earlier model, use it
#: (``Scenario(**BEHAVIOUR_OFF)``).
BEHAVIOUR_OFF: dict[str, float] = {
    "reciprocity": 0.0, "contact_reciprocity": 0.0, "suspicion": 0.0, "conflict_strain": 0.0, "rivalry": 0.0,
    "group_meeting_weight": 1.0, "pressure_spread": 0.0, "history_spread": 0.0, "demand_spread": 0.0,
    "shared_role_new_time": 1.0, "role_brokerage": 0.0, "role_relay": 0.0,
}

_SPEC = {p.name: p for p in PARAMETERS}


def check_calibrated(values: Mapping[str, float]) -> None:
    """Raise :class:`ScenarioError` unless each calibrated default is a parameter declared calibrated, in range.

    Examples
    --------
    >>> check_calibrated({"gain_rate": 0.07})
    >>> check_calibrated({"turnover_rate": 0.02})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simulation.scenario.ScenarioError: calibrated defaults: 'turnover_rate' is not a parameter whose default may ...
    """
    for name, value in values.items():
        if name not in UNCALIBRATED_DEFAULTS:
            raise ScenarioError(f"calibrated defaults: {name!r} is not a parameter whose default may be calibrated "
                                f"(those are: {', '.join(sorted(UNCALIBRATED_DEFAULTS))})")
        _SPEC[name].check(value)


check_calibrated(CALIBRATED.values)
_SECTIONS = ("place", "dynamics", "interventions", "staff", "costs")
_DEFAULT_ORGANISATIONS = {"nhs_trust": 6, "council": 4, "voluntary": 90}


@dataclass(frozen=True)
class Scenario:
    """A validated, immutable set of model parameters.

    Scalar parameters are attributes (see :data:`PARAMETERS` for meanings,
    units and ranges). Two tables complete it: ``organisations`` (kind name to
    count) and ``kinds`` (kind name to :class:`~simulation.kinds.OrganisationKind`).

    Parameters
    ----------
    organisations : Mapping[str, int], optional
        How many organisations of each kind a generated place has.
    kinds : Mapping[str, OrganisationKind], optional
        Kinds to add to, or replace in, :func:`~simulation.kinds.default_kinds`.
    name : str, optional
        Label for outputs.
    **params
        Scalar parameters by name.

    Raises
    ------
    ScenarioError
        For an unknown name or a value out of range.
    """

    name: str
    organisations: Mapping[str, int]
    kinds: Mapping[str, OrganisationKind]
    params: Mapping[str, float | int | bool]
    schedule: Mapping[str, LeverSchedule]
    shocks: tuple[Shock, ...]
    mergers: tuple[Merger, ...]

    def __init__(
        self,
        organisations: Mapping[str, int] | None = None,
        kinds: Mapping[str, OrganisationKind] | None = None,
        name: str = "custom",
        schedule: Mapping[str, Any] | None = None,
        shocks: Any = None,
        mergers: Any = None,
        **params: Any,
    ) -> None:
        all_kinds = default_kinds()
        if kinds is not None and not isinstance(kinds, Mapping):
            raise ScenarioError(f"kinds = {_short(kinds)} has the wrong type: expected a table of kind name = kind")
        all_kinds.update(kinds or {})
        if organisations is not None and not isinstance(organisations, Mapping):
            raise ScenarioError(f"place.organisations = {_short(organisations)} has the wrong type: expected a table "
                                "of kind = count, e.g. { nhs_trust = 6, council = 4 }")
        if not isinstance(name, str):
            raise ScenarioError(f"name = {_short(name)} has the wrong type: expected a string")
        orgs = dict(_DEFAULT_ORGANISATIONS if organisations is None else organisations)
        _check_organisations(orgs, all_kinds)
        _check_kinds(all_kinds)
        values = {}
        for key, value in params.items():
            if key not in _SPEC:
                raise ScenarioError(_unknown(key, _SPEC))
            values[key] = _SPEC[key].check(value)
        full = {p.name: values.get(p.name, p.default) for p in PARAMETERS}
        _check_together(full)
        try:
            sched = parse_schedule(schedule or {})
            shock_list = parse_shocks(shocks or (), list(all_kinds))
            merger_list = parse_mergers(mergers or ())
        except ScheduleError as exc:
            raise ScenarioError(str(exc)) from None
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "organisations", orgs)
        object.__setattr__(self, "kinds", all_kinds)
        object.__setattr__(self, "params", full)
        object.__setattr__(self, "schedule", sched)
        object.__setattr__(self, "shocks", shock_list)
        object.__setattr__(self, "mergers", merger_list)

    def __getattr__(self, item: str) -> Any:
        params = self.__dict__.get("params")
        if params is not None and item in params:
            return params[item]
        raise AttributeError(item)

    def __reduce__(self):  # picklable for worker processes
        return (_rebuild, (self.name, dict(self.organisations), dict(self.kinds), dict(self.params),
                           dict(self.schedule), tuple(self.shocks), tuple(self.mergers)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return (self.organisations, self.kinds, self.params, self.schedule, self.shocks, self.mergers) == (
            other.organisations,
            other.kinds,
            other.params,
            other.schedule,
            other.shocks,
            other.mergers,
        )

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.params.items())), tuple(sorted(self.organisations.items()))))

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.params.items() if v != _SPEC[k].default}
        return f"Scenario(name={self.name!r}, organisations={dict(self.organisations)}, {changed})"

    @property
    def n_organisations(self) -> int:
        """Total number of organisations in a generated place."""
        return sum(self.organisations.values())

    def replace(self, **changes: Any) -> Scenario:
        """A copy with some values changed, validated again.

        ``organisations``, ``kinds``, ``name``, ``schedule`` and ``shocks`` may
        be replaced too; a key of the form ``organisations.<kind>`` changes one
        count, and ``schedule.<lever>`` one lever's schedule.

        Examples
        --------
        >>> Scenario().replace(**{"organisations.voluntary": 10}).n_organisations
        20
        >>> Scenario().replace(**{"schedule.open_book": {"start": 12, "stop": 36}}).schedule["open_book"]
        LeverSchedule(start=12, stop=36)
        """
        if all(key in _SPEC for key in changes):  # parameters only: the rest was validated already
            params = dict(self.params)
            for key, value in changes.items():
                params[key] = _SPEC[key].check(value)
            _check_together(params)
            new = object.__new__(Scenario)
            for attr, value in (("name", self.name), ("organisations", dict(self.organisations)),
                                ("kinds", dict(self.kinds)), ("params", params), ("schedule", dict(self.schedule)),
                                ("shocks", self.shocks), ("mergers", self.mergers)):
                object.__setattr__(new, attr, value)
            return new
        orgs = dict(self.organisations)
        kinds = dict(self.kinds)
        name = self.name
        params = dict(self.params)
        schedule = {k: v.to_dict() for k, v in self.schedule.items()}
        shocks = [s.to_dict() for s in self.shocks]
        mergers = [m.to_dict() for m in self.mergers]
        for key, value in changes.items():
            if key == "mergers":
                mergers = value
            elif key == "schedule":
                schedule = dict(value)
            elif key.startswith("schedule."):
                schedule[key.split(".", 1)[1]] = value
            elif key == "shocks":
                shocks = value
            elif key == "organisations":
                if not isinstance(value, Mapping):
                    raise ScenarioError(f"place.organisations = {_short(value)} has the wrong type: expected a "
                                        "table of kind = count, e.g. { nhs_trust = 6, council = 4 }")
                orgs = dict(value)
            elif key.startswith("organisations."):
                orgs[key.split(".", 1)[1]] = value
            elif key.startswith("kinds."):  # kinds.<name> = { ... } or kinds.<name>.<key> = value
                _, kind_name, field = [*key.split(".", 2), ""][:3]
                table = {field: value} if field else value
                if not isinstance(table, Mapping):
                    raise ScenarioError(f"{key} = {_short(value)} has the wrong type: expected a table of the kind's "
                                        "keys, e.g. kinds.council = { capacity = 30 } or kinds.council.capacity = 30")
                base = _kind_to_dict(kinds[kind_name]) if kind_name in kinds else {}
                kinds[kind_name] = _kind_from_dict(kind_name, {**base, **table})
            elif key == "kinds":
                if not isinstance(value, Mapping):
                    raise ScenarioError(f"kinds = {_short(value)} has the wrong type: expected a table of kind tables")
                kinds.update({k: v if isinstance(v, OrganisationKind) else _kind_from_dict(k, v)
                              for k, v in value.items()})
            elif key == "name":
                name = value
            else:
                params[key] = value
        return Scenario(organisations=orgs, kinds=kinds, name=name, schedule=schedule, shocks=shocks,
                        mergers=mergers, **params)

    def to_dict(self) -> dict[str, Any]:
        """Nested plain-data form, the same layout as a TOML file.

        Examples
        --------
        >>> d = Scenario(open_book=0.3).to_dict()
        >>> d["interventions"]["open_book"]
        0.3
        >>> Scenario.from_dict(d) == Scenario(open_book=0.3)
        True
        """
        out: dict[str, Any] = {"name": self.name}
        for section in _SECTIONS:
            out[section] = {p.name: self.params[p.name] for p in PARAMETERS if p.section == section}
        out["place"]["organisations"] = dict(self.organisations)
        out["kinds"] = {name: _kind_to_dict(k) for name, k in self.kinds.items()}
        if self.schedule:
            out["schedule"] = {lever: s.to_dict() for lever, s in self.schedule.items()}
        if self.shocks:
            out["shocks"] = [s.to_dict() for s in self.shocks]
        if self.mergers:
            out["mergers"] = [m.to_dict() for m in self.mergers]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, name: str | None = None) -> Scenario:
        """Build from the nested layout of a TOML file, checking every key.

        Raises
        ------
        ScenarioError
            For unknown tables or keys, wrong types or values out of range.
        """
        if not isinstance(data, Mapping):
            raise ScenarioError(f"a scenario must be a table of tables, got {_short(data)}")
        data = dict(data)
        scenario_name = data.pop("name", name or "custom")
        if not isinstance(scenario_name, str):
            raise ScenarioError(f"name = {_short(scenario_name)} has the wrong type: expected a string")
        kinds_table = data.pop("kinds", {})
        schedule = data.pop("schedule", None)
        shocks = data.pop("shocks", None)
        mergers = data.pop("mergers", None)
        if not isinstance(kinds_table, Mapping):
            raise ScenarioError("kinds must be a table of kind tables")
        params: dict[str, Any] = {}
        organisations = None
        for section, table in data.items():
            if section not in _SECTIONS:
                raise ScenarioError(
                    f"unknown table [{section}]: expected one of "
                    + ", ".join(f"[{s}]" for s in (*_SECTIONS, "kinds", "schedule")) + ", [[shocks]], [[mergers]]"
                    + " or the key 'name'"
                )
            if not isinstance(table, Mapping):
                raise ScenarioError(f"{section} must be a table, got {table!r}")
            for key, value in table.items():
                if section == "place" and key == "organisations":
                    if not isinstance(value, Mapping):
                        raise ScenarioError("place.organisations must be a table of kind = count")
                    organisations = dict(value)
                    continue
                spec = _SPEC.get(key)
                if spec is None or spec.section != section:
                    raise ScenarioError(_unknown(f"{section}.{key}", _section_keys(section)))
                params[key] = value
        kinds = {k: _kind_from_dict(k, v) for k, v in kinds_table.items()}
        return cls(organisations=organisations, kinds=kinds, name=scenario_name, schedule=schedule, shocks=shocks,
                   mergers=mergers, **params)

    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Load and validate a scenario file.

        Raises
        ------
        ScenarioError
            If the file is missing, is not valid TOML, or holds a bad value.
        """
        path = Path(path)
        _, data = read_toml(path, "scenario")
        try:
            return cls.from_dict(data, name=path.stem)
        except ScenarioError as exc:
            raise ScenarioError(f"{path.name}: {exc}") from None


#: Largest scenario, experiment or calibration file read (bytes): a hand-written file is a few KiB.
MAX_TOML_BYTES = 1_000_000
#: Deepest nesting of tables and arrays accepted in a file (a scenario needs 4: kinds.x.trait.mean).
MAX_NESTING = 16
#: Largest integer accepted anywhere in a file: what a 64-bit signed integer holds.
MAX_INTEGER = 2**63 - 1


def read_toml(path: Path, what: str) -> tuple[str, dict[str, Any]]:
    """The text and parsed content of a TOML file; one :class:`ScenarioError` if either fails.

    ``what`` names the file's role in the message (``"scenario"``, ``"experiment"``). The
    file must be UTF-8 (a byte-order mark is allowed), at most :data:`MAX_TOML_BYTES`
    long, nested at most :data:`MAX_NESTING` deep, and hold no ``nan`` or ``inf`` and no
    integer beyond :data:`MAX_INTEGER` (:func:`check_plain_data`).
    """
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_TOML_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"cannot read {what} file {path}: {exc.strerror}") from None
    if len(raw) > MAX_TOML_BYTES:
        raise ScenarioError(f"{what} file {path} is over {MAX_TOML_BYTES:,} bytes: not a {what} file")
    text = decode_text(raw, path, what)
    data = parse_toml(text, str(path))
    check_plain_data(data, "")
    return text, data


def decode_text(raw: bytes, path: Any, what: str) -> str:
    """``raw`` decoded as UTF-8 (a leading byte-order mark dropped); one :class:`ScenarioError` if it is not UTF-8.

    Examples
    --------
    >>> decode_text(b"\\xef\\xbb\\xbfa = 1", "x.toml", "scenario")
    'a = 1'
    >>> decode_text(b"a = \\xff", "x.toml", "scenario")
    Traceback (most recent call last):
    ...
    simulation.scenario.ScenarioError: scenario file x.toml is not UTF-8 text (byte 0xff at offset 4)
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{what} file {path} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """``tomllib.loads(text)``; one :class:`ScenarioError` naming ``where`` if it fails (bad syntax, deep nesting)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{where} is not valid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{where} is nested too deeply: expected at most {MAX_NESTING} levels") from None


def check_plain_data(value: Any, where: str, depth: int = 0) -> None:
    """Refuse non-finite numbers, integers beyond :data:`MAX_INTEGER` and nesting deeper than :data:`MAX_NESTING`.

    The first check every file and ``--set`` value passes, before any key is
    read: a number that cannot be represented (``nan``, ``inf``, ``1e400``,
    a 60-digit integer) is refused here, naming its key.

    Examples
    --------
    >>> check_plain_data({"kinds": {"council": {"ties": {"voluntary": float("inf")}}}}, "")
    Traceback (most recent call last):
    ...
    simulation.scenario.ScenarioError: kinds.council.ties.voluntary = inf is not a finite number
    """
    if depth > MAX_NESTING:
        raise ScenarioError(f"{where or 'the file'} is nested too deeply: expected at most {MAX_NESTING} levels")
    if isinstance(value, bool):
        return
    if isinstance(value, float | np.floating):
        if not math.isfinite(value):
            raise ScenarioError(f"{where or 'value'} = {value!r} is not a finite number")
    elif isinstance(value, int | np.integer):
        if abs(int(value)) > MAX_INTEGER:
            raise ScenarioError(f"{where or 'value'} = {_short(value)} is out of range: expected an integer of at "
                                f"most {MAX_INTEGER} in size")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_plain_data(item, f"{where}.{key}" if where else str(key), depth + 1)
    elif isinstance(value, list | tuple):
        for k, item in enumerate(value):
            check_plain_data(item, f"{where}[{k}]", depth + 1)


def _short(value: Any, limit: int = 40) -> str:
    """``repr(value)``, cut to ``limit`` characters (a 5,000-digit integer in a message helps nobody)."""
    if isinstance(value, int) and value.bit_length() > 128:
        return f"an integer of {value.bit_length():,} bits"
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit - 13]}... ({len(text)} characters)"


def _check_together(params: Mapping[str, Any]) -> None:
    """The checks that involve more than one parameter."""
    mu, conc = params["initial_trust"], params["initial_trust_concentration"]
    low, high = initial_trust_interval(conc)
    if 0 < mu < 1 and not low <= mu <= high:  # 0 and 1 are exact: no draw
        raise ScenarioError(
            f"place.initial_trust = {mu!r} is out of range: with initial_trust_concentration = {conc!r} it gives a "
            f"Beta shape below {MIN_BETA_SHAPE:g} (draws all 0 or 1, or never ending); expected 0, 1, or a number "
            f"in [{low:.3g}, {high:.6g}]"
        )
    if params["gain_rate"] * params["negativity_bias"] > 1:
        raise ScenarioError(
            "dynamics.negativity_bias = {nb!r} is out of range: gain_rate * negativity_bias "
            "must be at most 1 (gain_rate = {g!r}, so negativity_bias <= {mx:.4g})".format(
                nb=params["negativity_bias"], g=params["gain_rate"], mx=1 / params["gain_rate"]
            )
        )


def _rebuild(name, organisations, kinds, params, schedule=None, shocks=None, mergers=None) -> Scenario:
    return Scenario(organisations=organisations, kinds=kinds, name=name, schedule=schedule, shocks=shocks,
                    mergers=mergers, **params)


def _section_keys(section: str) -> list[str]:
    keys = [p.name for p in PARAMETERS if p.section == section]
    return ["organisations", *keys] if section == "place" else keys


def _unknown(key: str, allowed) -> str:
    import difflib

    names = sorted(allowed)
    close = difflib.get_close_matches(key.rsplit(".", 1)[-1], names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown parameter {key!r}{hint}; allowed: {', '.join(names)}"


def _check_organisations(orgs: dict[str, Any], kinds: Mapping[str, OrganisationKind]) -> None:
    if not orgs:
        raise ScenarioError("place.organisations is empty: a place needs at least 2 organisations")
    for kind, count in orgs.items():
        if kind not in kinds:
            raise ScenarioError(
                f"place.organisations.{kind}: unknown kind; known kinds: {', '.join(sorted(kinds))}"
                " (add one under [kinds.<name>])"
            )
        if isinstance(count, bool) or not isinstance(count, int | np.integer) or not 0 <= count <= MAX_OF_A_KIND:
            raise ScenarioError(
                f"place.organisations.{kind} = {_short(count)} is out of range: expected an integer in "
                f"[0, {MAX_OF_A_KIND:,}]"
            )
        orgs[kind] = int(count)
    if sum(orgs.values()) < 2:
        raise ScenarioError(
            f"place.organisations = {orgs} is impossible: a place needs at least 2 organisations"
        )


#: Most organisations of one kind (the memory check of :func:`~simulation.place.check_place_size` comes first).
MAX_OF_A_KIND = 10**9
#: Smallest shape parameter of a Beta draw: below it nearly every draw is exactly 0 or 1, and the draw itself slows
#: without bound (numba's Beta sampler takes 0.1 ms a draw at 1e-6 and never returns at 1e-300).
MIN_BETA_SHAPE = 1e-3
#: Largest Beta concentration (a + b): the spread is then below 0.0005, as good as a fixed value.
MAX_CONCENTRATION = 1e6
#: Largest expected ties of one kind to another, and largest contact weight and capacity of a kind.
MAX_TIES, MAX_CONTACT_WEIGHT, MAX_CAPACITY = 1e6, 100.0, 10**9


def initial_trust_interval(concentration: float) -> tuple[float, float]:
    """The initial trust inside (0, 1) that a Beta draw of this concentration allows (both shapes >= the least).

    Examples
    --------
    >>> initial_trust_interval(10.0)
    (0.0001, 0.9999)
    """
    return MIN_BETA_SHAPE / concentration, 1.0 - MIN_BETA_SHAPE / concentration


def check_beta(where: str, mean: Any, concentration: Any) -> None:
    """Refuse a Beta distribution (by mean and concentration) whose draws are degenerate or hang.

    Raises
    ------
    ScenarioError
        Naming ``where``, the value and the allowed range.

    Examples
    --------
    >>> check_beta("kinds.x.altruism", 0.5, 1e-300)
    Traceback (most recent call last):
    ...
    simulation.scenario.ScenarioError: kinds.x.altruism.concentration = 1e-300 is out of range: expected a number \
in [0.002, 1e+06]
    """
    for key, value in (("mean", mean), ("concentration", concentration)):
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating) or not (
                math.isfinite(value)):
            raise ScenarioError(f"{where}.{key} = {_short(value)} has the wrong type: expected a finite number")
    if not 0 < mean < 1:
        raise ScenarioError(f"{where}.mean = {mean!r} is out of range: expected a number in (0, 1)")
    if not 2 * MIN_BETA_SHAPE <= concentration <= MAX_CONCENTRATION:
        raise ScenarioError(f"{where}.concentration = {concentration!r} is out of range: expected a number in "
                            f"[{2 * MIN_BETA_SHAPE:g}, {MAX_CONCENTRATION:g}]")
    shape = min(mean, 1 - mean) * concentration
    if shape < MIN_BETA_SHAPE:
        raise ScenarioError(
            f"{where}: mean = {mean!r} with concentration = {concentration!r} gives a Beta shape of {shape:.3g}, "
            f"below {MIN_BETA_SHAPE:g}: draws would be all 0 or 1, or never end; expected mean * concentration and "
            f"(1 - mean) * concentration both >= {MIN_BETA_SHAPE:g}"
        )


def _check_kinds(kinds: Mapping[str, OrganisationKind]) -> None:
    for name, kind in kinds.items():
        if not isinstance(kind, OrganisationKind):
            raise ScenarioError(f"kinds.{name} = {_short(kind)} has the wrong type: expected an OrganisationKind "
                                "(or, in a file, a table)")
        for attr in ("label", "sector"):
            if not isinstance(getattr(kind, attr), str):
                raise ScenarioError(f"kinds.{name}.{attr} = {_short(getattr(kind, attr))} has the wrong type: "
                                    "expected a string")
        for trait in TRAITS:
            d = kind.trait(trait)
            if not isinstance(d, TraitDistribution):
                raise ScenarioError(f"kinds.{name}.{trait} = {_short(d)} has the wrong type: expected a "
                                    "TraitDistribution (or, in a file, { mean = ..., concentration = ... })")
            check_beta(f"kinds.{name}.{trait}", d.mean, d.concentration)
        cw = kind.contact_weight
        if isinstance(cw, bool) or not isinstance(cw, int | float) or not 0 <= cw <= MAX_CONTACT_WEIGHT:
            raise ScenarioError(
                f"kinds.{name}.contact_weight = {_short(cw)} is out of range: expected a number in "
                f"[0, {MAX_CONTACT_WEIGHT:g}]"
            )
        _check_size(name, "size_median", kind.size_median, MAX_SIZE, "£ million a year", low_open=True)
        _check_size(name, "size_spread", kind.size_spread, MAX_SIZE_SPREAD, "the log-normal's sigma")
        if not isinstance(kind.ties, Mapping):
            raise ScenarioError(f"kinds.{name}.ties must be a table of kind = expected ties")
        if not (isinstance(kind.hours, int | float) and not isinstance(kind.hours, bool) and 0 <= kind.hours <= 744):
            raise ScenarioError(f"kinds.{name}.hours = {kind.hours!r} is out of range: expected a number in [0, 744]")
        if isinstance(kind.capacity, bool) or not isinstance(kind.capacity, int) or not (
                0 <= kind.capacity <= MAX_CAPACITY):
            raise ScenarioError(
                f"kinds.{name}.capacity = {_short(kind.capacity)} is out of range: expected an integer in "
                f"[0, {MAX_CAPACITY:,}]"
            )
        for other, d in kind.ties.items():
            if other not in kinds:
                raise ScenarioError(
                    f"kinds.{name}.ties.{other}: unknown kind; known kinds: {', '.join(sorted(kinds))}"
                )
            if isinstance(d, bool) or not isinstance(d, int | float) or not 0 <= d <= MAX_TIES:
                raise ScenarioError(
                    f"kinds.{name}.ties.{other} = {_short(d)} is out of range: expected a number in [0, {MAX_TIES:g}]"
                )


def _check_size(kind: str, key: str, value: Any, high: float, unit: str, low_open: bool = False) -> None:
    """A kind's size distribution: a number in ``(0, high]`` (``low_open``) or ``[0, high]``; one error naming it."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not (number and (value > 0 if low_open else value >= 0) and value <= high):
        raise ScenarioError(f"kinds.{kind}.{key} = {_short(value)} is out of range: expected a number in "
                            f"{'(' if low_open else '['}0, {high:,.10g}] ({unit})")


_KIND_KEYS = {"label", "sector", "statutory", "contact_weight", "ties", "capacity", "hours", "size_median",
              "size_spread", *TRAITS}


def _kind_from_dict(name: str, table: Any) -> OrganisationKind:
    if not isinstance(table, Mapping):
        raise ScenarioError(f"kinds.{name} must be a table")
    base = default_kinds().get(name)
    unknown = set(table) - _KIND_KEYS
    if unknown:
        raise ScenarioError(_unknown(f"kinds.{name}.{sorted(unknown)[0]}", _KIND_KEYS))
    if base is None:
        missing = {"sector", *TRAITS} - set(table)
        if missing:
            raise ScenarioError(
                f"kinds.{name}: a new kind needs {', '.join(sorted(missing))}"
            )
    kw: dict[str, Any] = {"name": name}
    for trait in TRAITS:
        if trait in table:
            t = table[trait]
            if isinstance(t, int | float) and not isinstance(t, bool):
                t = {"mean": t}
            if not isinstance(t, Mapping) or set(t) - {"mean", "concentration"} or "mean" not in t:
                raise ScenarioError(
                    f"kinds.{name}.{trait} must be a number in (0, 1) or a table "
                    "{ mean = ..., concentration = ... }"
                )
            mean, conc = t["mean"], t.get("concentration", 10.0)
            check_beta(f"kinds.{name}.{trait}", mean, conc)
            kw[trait] = TraitDistribution(float(mean), float(conc))
        else:
            kw[trait] = base.trait(trait)
    for key in ("label", "sector"):
        text = table.get(key, getattr(base, key) if base else (name if key == "label" else ""))
        if not isinstance(text, str):
            raise ScenarioError(f"kinds.{name}.{key} = {_short(text)} has the wrong type: expected a string")
        kw[key] = text
    statutory = table.get("statutory", base.statutory if base else False)
    if not isinstance(statutory, bool):
        raise ScenarioError(f"kinds.{name}.statutory = {statutory!r} has the wrong type: expected true or false")
    kw["statutory"] = statutory
    cw = table.get("contact_weight", base.contact_weight if base else 1.0)
    if isinstance(cw, bool) or not isinstance(cw, int | float):
        raise ScenarioError(f"kinds.{name}.contact_weight = {_short(cw)} has the wrong type: expected a number >= 0")
    kw["contact_weight"] = float(cw)
    ties = table.get("ties", base.ties if base else {})
    if not isinstance(ties, Mapping):
        raise ScenarioError(f"kinds.{name}.ties must be a table of kind = expected ties")
    kw["ties"] = dict(ties)
    kw["capacity"] = table.get("capacity", base.capacity if base else 1_000_000)  # checked with the kinds
    hours = table.get("hours", base.hours if base else 40.0)
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 <= hours <= 744:
        raise ScenarioError(f"kinds.{name}.hours = {_short(hours)} is out of range: expected a number in [0, 744]")
    kw["hours"] = float(hours)
    for key in ("size_median", "size_spread"):  # checked with the kinds
        kw[key] = table.get(key, getattr(base, key) if base else getattr(OrganisationKind, key))
    return OrganisationKind(**kw)


def _kind_to_dict(kind: OrganisationKind) -> dict[str, Any]:
    out: dict[str, Any] = {
        "label": kind.label,
        "sector": kind.sector,
        "statutory": kind.statutory,
        "contact_weight": kind.contact_weight,
        "ties": dict(kind.ties),
        "capacity": kind.capacity,
        "hours": kind.hours,
        "size_median": kind.size_median,
        "size_spread": kind.size_spread,
    }
    for trait in TRAITS:
        d = kind.trait(trait)
        out[trait] = {"mean": d.mean, "concentration": d.concentration}
    return out


def shipped_scenarios() -> dict[str, Path]:
    """The scenario files shipped with the package, by name.

    Examples
    --------
    >>> sorted(shipped_scenarios())[:2]
    ['collaborative', 'default']
    """
    return {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml"))}


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a shipped scenario by name, or any scenario file by path.

    Raises
    ------
    ScenarioError
        If there is no such scenario or the file is invalid.

    Examples
    --------
    >>> load_scenario("legacy_of_competition").competitive_pressure
    0.9
    """
    shipped = shipped_scenarios()
    if str(name_or_path) in shipped:
        return Scenario.from_toml(shipped[str(name_or_path)])
    path = Path(name_or_path)
    if path.suffix != ".toml" and not path.exists():
        raise ScenarioError(
            f"unknown scenario {str(name_or_path)!r}: expected a .toml file or one of "
            + ", ".join(sorted(shipped))
        )
    return Scenario.from_toml(path)

