"""Levers set to cost the same: the contest's arms (``experiments/contest.py``) and the dashboard's pairing.

Two ways to set a lever's cost live here.

:func:`lever_at_hours` turns a budget of extra hours a month into a lever's
setting by formula (the dashboard's side-by-side lessons; the contest's first
guess). It counts hours as the lever's own time, so a lever that pushes its
leaders past their budget spends less than it says and cuts their other
one-to-ones.

:func:`match_arm` instead finds the setting at which an arm **spends** a target
in the runs themselves: the extra hours the place's leaders actually spent
against the same place without the lever on the same seeds (common random
numbers; the kernel's hours columns, :data:`~simulation.kernel.HOURS_OUTCOMES`,
one-to-ones, boards, shared roles and the levers' committed time, cuts
included), or the money a month the arm costs (:func:`arm_money`). The
setting is found by a bracketed root search (regula falsi, Illinois variant;
integers by bisection) between 0 and the most the arm can commit: no leader
is committed beyond their kind's monthly ``hours`` (:func:`committed_hours`,
the kernel's own account of each leader's commitments, and
:func:`setting_cap`). An arm that cannot reach the target within that cap is
``capped``; one that cannot get within the tolerance is ``unmatched``.

The arms (:data:`ARMS`), each one setting:

``statutory_contact``
    more one-to-one meetings between statutory leaders (meetings a month per
    statutory pair);
``contact``
    more one-to-one meetings for everyone (added to ``contact_rate``);
``open_book``, ``development``, ``commitment``
    open books, leadership development, a long-term commitment, for every leader;
``statutory_open_book``, ``statutory_development``
    open books, leadership development for the statutory bodies' leaders alone
    (``open_book_statutory``, ``development_statutory``);
``shared_roles``
    shared NHS–council leadership roles (a whole number);
``place_programmes``
    place-based leadership programme cohorts a year;
``place_programmes_tie_contact``
    the same, the ties a cohort creates given a new relationship's usual
    one-to-one contact (``programme_tie_contact = 1``, an uncertain assumption);
``coproduction``
    every leader's citizen-engagement (co-production) skill;
``coproduction_with_investment``
    the same, plus the councils' full community investment (money, no leader-hours);
``system_board``
    a system board of the statutory bodies that decides, meeting ``x`` times a month;
``pooled_budget``
    a board meeting quarterly with the share ``x`` of a pooled budget;
``health_wellbeing_board``
    a Health and Wellbeing Board meeting ``x`` times a month;
``merger``
    ``x`` NHS trusts merged into the first at month 0 (a whole number).

Examples
--------
>>> from simulation import Scenario
>>> base = Scenario()
>>> lever_at_hours(base, "system_board", 2.0).params["board_contact_rate"] == 2.0 / base.board_meeting_hours
True
>>> lever_at_hours(base, "open_book", 2.0, "place").open_book == min(1.0, 2.0 / base.open_book_hours)
True
>>> arm_scenario(base, "pooled_budget", 0.5).pooled_budget, ARMS["merger"].kind
(0.5, 'structural')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import kernel
from .batch import set_up_run, simulate_batch
from .interventions import lever_money
from .scenario import Scenario, ScenarioError
from .schedule import Merger

__all__ = ["FRAMINGS", "STATUTORY_PARTNERS", "SAME_LEADERS_LEVERS", "PLACE_LEVERS", "lever_at_hours",
           "Arm", "ARMS", "Match", "arm_scenario", "arm_money", "committed_hours", "setting_cap",
           "spent_hours", "find_setting", "match_arm", "TOLERANCE"]

#: Two ways of counting equal cost: the same leaders' hours, or the place's hours in all.
FRAMINGS: tuple[str, ...] = ("same_leaders", "place")
#: A statutory leader's mean number of statutory partners in the default place.
STATUTORY_PARTNERS = 4.8
#: Levers matched on the statutory leaders' own hours.
SAME_LEADERS_LEVERS: tuple[str, ...] = ("none", "statutory_contact", "shared_roles", "system_board", "pooled_budget",
                                        "health_wellbeing_board")
#: Levers matched on the place's hours (the structures' hours scaled to their 10 members).
PLACE_LEVERS: tuple[str, ...] = ("none", "contact", "open_book", "development", "commitment", "shared_roles",
                                 "system_board", "pooled_budget", "health_wellbeing_board")
#: Largest relative miss of a matched arm's realised cost from its target.
TOLERANCE = 0.05


def lever_at_hours(base: Scenario, name: str, hours: float, framing: str = "same_leaders") -> Scenario:
    """``base`` with lever ``name`` set by formula to cost about ``hours`` hours a month.

    ``same_leaders``: ``hours`` of each statutory leader (more one-to-ones,
    ``f_S = H / (h_m d_S)``; roles ``R = 10 H / (2 h_R)``, rounded; a board
    ``f_B = H / h_B``; a quarterly board with a pooled budget
    ``s = (H - f_B h_B) / h_P``; a Health and Wellbeing Board ``f_W = H / h_W``).
    ``place``: ``hours`` per leader averaged over the place (a structure's 10
    members get ``H n / 10`` each).

    Raises
    ------
    ScenarioError
        For an unknown framing, or a lever the framing cannot match.
    """
    if framing not in FRAMINGS:
        raise ScenarioError(f"framing = {framing!r} is not known: expected one of {', '.join(FRAMINGS)}")
    allowed = PLACE_LEVERS if framing == "place" else SAME_LEADERS_LEVERS
    if name not in allowed:
        raise ScenarioError(f"lever = {name!r} cannot be matched on the {framing} framing: expected one of "
                            f"{', '.join(allowed)}")
    if name == "none":
        return base
    if framing == "place":
        return _place_lever(base, name, hours)
    p = base.params
    if name == "statutory_contact":
        return base.replace(statutory_contact=hours / (p["meeting_hours"] * STATUTORY_PARTNERS))
    if name == "shared_roles":
        return base.replace(shared_roles=max(1, round(10 * hours / (2 * p["shared_role_hours"]))))
    if name == "system_board":
        return base.replace(system_board=True, board_contact_rate=hours / p["board_meeting_hours"])
    if name == "pooled_budget":
        share = min(1.0, max(0.0, hours - _POOL_BOARD_RATE * p["board_meeting_hours"]) / p["pooled_budget_hours"])
        return base.replace(system_board=True, board_contact_rate=_POOL_BOARD_RATE, pooled_budget=share)
    return base.replace(health_wellbeing_board=True, hwb_contact_rate=hours / p["hwb_meeting_hours"])


def _place_lever(base: Scenario, name: str, hours: float) -> Scenario:
    p, n = base.params, base.n_organisations
    if name == "contact":
        return base.replace(contact_rate=p["contact_rate"] + hours / p["meeting_hours"] / 2.9)
    if name == "open_book":
        return base.replace(open_book=min(1.0, hours / p["open_book_hours"]))
    if name == "development":
        return base.replace(leadership_development=min(1.0, hours / p["development_hours"]))
    if name == "commitment":
        return base.replace(long_term_commitment=min(1.0, hours / p["commitment_hours"]))
    return lever_at_hours(base, name, hours * n / 10, "same_leaders")  # place hours per leader -> each member's


# ------------------------------------------------------------------ arms with one setting each
_POOL_BOARD_RATE = 0.25  # a quarterly board allocates the pool


@dataclass(frozen=True)
class Arm:
    """A lever with one setting ``x``: its kind, what ``x`` means, and the most ``x`` can be.

    ``high`` is a number, or for whole-number arms (``integer``) a function of
    the scenario (the pairs or trusts there are).
    """

    name: str
    kind: str
    setting: str
    apply: Callable[[Scenario, float], Scenario]
    high: float | Callable[[Scenario], float]
    integer: bool = False

    def upper(self, base: Scenario) -> float:
        """The most ``x`` can be in ``base``."""
        return float(self.high(base) if callable(self.high) else self.high)


def _count(base: Scenario, kind: str) -> int:
    return int(base.organisations.get(kind, 0))


def _mergers(base: Scenario, x: float) -> Scenario:
    first = _first_index(base, "nhs_trust")
    return base.replace(mergers=[Merger(month=0, absorbed=first + k, into=first) for k in range(1, int(x) + 1)])


def _first_index(base: Scenario, kind: str) -> int:
    """Index of the first organisation of ``kind`` in a generated place (kinds in the scenario's order)."""
    start = 0
    for name, count in base.organisations.items():
        if name == kind:
            return start
        start += int(count)
    raise ScenarioError(f"organisations: the place has no {kind} to merge")


def _contact(base: Scenario, x: float) -> Scenario:
    return base.replace(contact_rate=base.params["contact_rate"] + x)


#: The contest's arms by name.
ARMS: dict[str, Arm] = {arm.name: arm for arm in (
    Arm("statutory_contact", "relational", "statutory_contact",
        lambda b, x: b.replace(statutory_contact=x), 30.0),
    Arm("contact", "relational", "contact_rate +", _contact, 30.0),
    Arm("open_book", "relational", "open_book", lambda b, x: b.replace(open_book=x), 1.0),
    Arm("statutory_open_book", "relational", "open_book",
        lambda b, x: b.replace(open_book=x, open_book_statutory=True), 1.0),
    Arm("development", "relational", "leadership_development",
        lambda b, x: b.replace(leadership_development=x), 1.0),
    Arm("statutory_development", "relational", "leadership_development",
        lambda b, x: b.replace(leadership_development=x, development_statutory=True), 1.0),
    Arm("commitment", "relational", "long_term_commitment", lambda b, x: b.replace(long_term_commitment=x), 1.0),
    Arm("shared_roles", "relational", "shared_roles", lambda b, x: b.replace(shared_roles=int(x)),
        lambda b: _count(b, "nhs_trust") * _count(b, "council"), integer=True),
    Arm("place_programmes", "relational", "place_programmes", lambda b, x: b.replace(place_programmes=x), 12.0),
    Arm("place_programmes_tie_contact", "relational", "place_programmes",
        lambda b, x: b.replace(place_programmes=x, programme_tie_contact=1.0), 12.0),
    Arm("coproduction", "relational", "coproduction", lambda b, x: b.replace(coproduction=x), 1.0),
    Arm("coproduction_with_investment", "relational", "coproduction",
        lambda b, x: b.replace(coproduction=x, community_investment=1.0), 1.0),
    Arm("system_board", "structural", "board_contact_rate",
        lambda b, x: b.replace(system_board=True, board_contact_rate=x), 30.0),
    Arm("pooled_budget", "structural", "pooled_budget",
        lambda b, x: b.replace(system_board=True, board_contact_rate=_POOL_BOARD_RATE, pooled_budget=x), 1.0),
    Arm("health_wellbeing_board", "structural", "hwb_contact_rate",
        lambda b, x: b.replace(health_wellbeing_board=True, hwb_contact_rate=x), 30.0),
    Arm("merger", "structural", "trusts merged", _mergers, lambda b: max(0, _count(b, "nhs_trust") - 1),
        integer=True),
)}


def _arm(name: str) -> Arm:
    if name not in ARMS:
        raise ScenarioError(f"arm = {name!r} is not known: expected one of {', '.join(ARMS)}")
    return ARMS[name]


def arm_scenario(base: Scenario, name: str, x: float) -> Scenario:
    """``base`` with arm ``name`` at setting ``x`` (checked against the arm's range).

    Raises
    ------
    ScenarioError
        For an unknown arm or a setting outside ``[0, high]``.

    Examples
    --------
    >>> from simulation import Scenario
    >>> arm_scenario(Scenario(), "merger", 2).mergers[-1]
    Merger(month=0, absorbed=2, into=0)
    >>> arm_scenario(Scenario(), "system_board", 99)
    Traceback (most recent call last):
    ...
    simulation.scenario.ScenarioError: system_board: board_contact_rate = 99 is out of range: expected [0, 30]
    """
    arm = _arm(name)
    high = arm.upper(base)
    if not 0 <= x <= high:
        raise ScenarioError(f"{name}: {arm.setting} = {x:g} is out of range: expected [0, {high:g}]")
    return arm.apply(base, round(x) if arm.integer else float(x))


def arm_money(scenario: Scenario, steps: int) -> float:
    """Pounds a month the levers of ``scenario`` cost the place over a run of ``steps`` months.

    Recurring costs in steady state (:func:`~simulation.interventions.lever_money`:
    leadership development for every leader it reaches, programme members, community
    investment) plus each merger's one-off ``merger_cost`` spread over the run.
    A pooled budget moves money between partners rather than spending it
    (counted 0).

    Examples
    --------
    >>> from simulation import Scenario
    >>> arm_money(Scenario(leadership_development=0.5), 120)  # 0.5 x 400 pounds x 100 leaders
    20000.0
    >>> arm_money(arm_scenario(Scenario(), "statutory_development", 0.5), 120)  # the 10 statutory leaders
    2000.0
    >>> round(arm_money(arm_scenario(Scenario(), "merger", 1), 120))  # 10 million over 120 months
    83333
    """
    p = scenario.params
    members = p["programme_cohort_size"] * p["place_programmes"] * p["programme_months"] / 12
    reached = (sum(c for k, c in scenario.organisations.items() if scenario.kinds[k].statutory)
               if p["development_statutory"] else scenario.n_organisations)  # the leaders development reaches
    recurring = sum(lever_money(p, True, reached, members).values())
    return float(recurring + len(scenario.mergers) * p["merger_cost"] * 1e6 / steps)


# ------------------------------------------------------------------ leaders' commitments
def committed_hours(scenario: Scenario, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Each leader's committed hours a month at the start of a run, and their budgets (the kinds' ``hours``).

    The kernel's own account (its time budget: boards, shared roles, the
    levers' hours, vision work), taken as if every leader were in a programme
    cohort when ``place_programmes`` is on (the most a leader can be
    committed). One-to-one meetings are not commitments: they are cut when
    the hours run out.

    Examples
    --------
    >>> from simulation import Scenario
    >>> sc = Scenario(organisations={"nhs_trust": 2, "council": 1, "voluntary": 3}, system_board=True,
    ...               board_contact_rate=2.0)
    >>> committed, budget = committed_hours(sc, 1)
    >>> committed.tolist(), budget.tolist()
    ([8.0, 8.0, 8.0, 0.0, 0.0, 0.0], [32.0, 32.0, 40.0, 16.0, 16.0, 16.0])
    """
    sim, _ = set_up_run(scenario, seed, 1)
    orgs = sim.organisations()
    if scenario.params["place_programmes"] > 0:
        cohort = orgs.cohort.copy()
        cohort[1, :] = 1  # every leader in a cohort: the worst case
        orgs = orgs._replace(cohort=cohort)
    rel = sim.relationships
    work = kernel.leader_work(sim.leaders.n)
    cache = kernel.pair_cache(rel.buffers.pairs.shape[0])
    kernel._time_budget(rel.buffers, rel.n_pairs, orgs, sim.parameter_vector(), cache, work,
                        np.zeros(len(kernel.HOURS_OUTCOMES)))
    return work.committed.copy(), np.asarray(orgs.budget, dtype=float).copy()


def _over_budget(base: Scenario, name: str, x: float, seeds: Sequence[int]) -> float:
    """The largest share of a leader's budget committed at setting ``x`` over the seeds' set-ups."""
    scenario = arm_scenario(base, name, x)
    worst = 0.0
    for seed in seeds:
        committed, budget = committed_hours(scenario, seed)
        worst = max(worst, float(np.max(committed / budget)))
    return worst


def setting_cap(base: Scenario, name: str, seeds: Sequence[int]) -> float:
    """The most arm ``name`` can be set to without committing any leader beyond their monthly hours.

    Commitments are affine in a continuous setting, so two set-ups per seed
    give the cap exactly; whole-number settings are tried upward.

    Examples
    --------
    >>> from simulation import Scenario
    >>> setting_cap(Scenario(), "system_board", [1])  # NHS trusts' 32 hours over 4-hour meetings
    8.0
    >>> round(setting_cap(Scenario(), "health_wellbeing_board", [1]), 3)  # voluntary members' 16 hours over 3
    5.333
    """
    arm = _arm(name)
    high = arm.upper(base)
    if arm.integer:
        best = 0
        for k in range(1, int(high) + 1):
            if _over_budget(base, name, k, seeds) > 1.0 + 1e-12:
                break
            best = k
        return float(best)
    cap = high
    for seed in seeds:
        c0, budget = committed_hours(arm_scenario(base, name, 0.0), seed)
        c1, _ = committed_hours(arm_scenario(base, name, high), seed)
        slope = (c1 - c0) / high
        rising = slope > 1e-12
        if np.any(c0 > budget + 1e-9):
            return 0.0
        if rising.any():
            cap = min(cap, float(np.min((budget[rising] - c0[rising]) / slope[rising])))
    return max(0.0, cap)


# ------------------------------------------------------------------ what the runs spent
_SPENT = tuple(kernel.HOURS_OUTCOMES[:4])  # one-to-ones, boards, shared roles, levers (hours_cut is time not spent)


def spent_hours(out: np.ndarray, columns: Sequence[str], n_organisations: int) -> float:
    """Hours a month the place's leaders spent in a run, on average over its months (all leaders together).

    Examples
    --------
    >>> cols = ["hours_one_to_one", "hours_board", "hours_roles", "hours_levers"]
    >>> out = np.array([[0, 0, 0, 0], [2.0, 1.0, 0.0, 0.5], [4.0, 1.0, 0.0, 0.5]])
    >>> spent_hours(out, cols, 10)
    45.0
    """
    idx = [list(columns).index(c) for c in _SPENT]
    return float(out[1:, idx].sum(axis=1).mean() * n_organisations)


# ------------------------------------------------------------------ the root search
@dataclass(frozen=True)
class Match:
    """The setting an arm was given: its target, what it realised, and whether it is matched.

    ``status``: ``matched`` (within :data:`TOLERANCE` of the target),
    ``capped`` (short of the target at the most it can commit, ``cap``),
    ``unmatched`` (it overshoots even at its least, or its cost jumps past
    the band between two whole-number settings).
    """

    arm: str
    target: float
    setting: float
    realised: float
    cap: float
    status: str
    evaluations: int

    @property
    def miss(self) -> float:
        """Realised against target, relative (0: exact)."""
        return self.realised / self.target - 1.0 if self.target else float("nan")


def find_setting(cost: Callable[[float], float], target: float, high: float, *, integer: bool = False,
                 tol: float = TOLERANCE, aim: float = 0.02, points: int = 8,
                 max_evaluations: int = 24) -> tuple[float, float, str, int]:
    """A setting in ``[0, high]`` at which ``cost`` reaches ``target``, found on the first bracket of a scan.

    The cost a setting realises need not rise all the way (a commitment that
    crowds out one-to-ones can spend less in all than a smaller one), so the
    settings are scanned upward first, 0 then ``high / 2**(points - 1)``
    doubling to ``high`` (whole numbers: each in turn), to the first that
    reaches the target; between it and the one before, regula falsi with the
    Illinois correction (a bisection step whenever it fails to halve the
    bracket) until within ``aim`` (relative). Whole-number
    settings keep the nearer of the two. If no setting reaches the target,
    the one that spends the most, ``capped``. Returns the setting, its cost,
    the status (see :class:`Match`) and the evaluations.

    Examples
    --------
    >>> x, c, status, _ = find_setting(lambda x: 3.0 * x, 6.0, 10.0)
    >>> round(x, 6), round(c, 6), status
    (2.0, 6.0, 'matched')
    >>> find_setting(lambda x: min(x, 1.0) - 0.1 * x, 5.0, 10.0)[:3]
    (1.25, 0.875, 'capped')
    >>> find_setting(lambda k: 10.0 * k, 25.0, 6, integer=True)[2]
    'unmatched'
    """
    seen: dict[float, float] = {}

    def f(x: float) -> float:
        if x not in seen:
            seen[x] = cost(x)
        return seen[x]

    def status(c: float) -> str:
        return "matched" if abs(c / target - 1.0) <= tol else "unmatched"

    grid = range(int(high) + 1) if integer else [0.0] + [high * 2.0 ** (k - points + 1) for k in range(points)]
    before = None
    for x in grid:
        if f(x) >= target:
            break
        before = x
    else:
        best = max(seen, key=lambda k: seen[k])
        return best, seen[best], "matched" if status(seen[best]) == "matched" else "capped", len(seen)
    if before is None or integer:
        best = min((k for k in (before, x) if k is not None), key=lambda k: abs(f(k) - target))
        return float(best), f(best), status(f(best)), len(seen)
    lo, flo, hi, fhi = before, f(before) - target, x, f(x) - target
    side, width = 0, hi - lo
    while abs(fhi) > aim * target and len(seen) < max_evaluations:
        # regula falsi while it shrinks the bracket by half or more; otherwise a bisection step
        x = hi - fhi * (hi - lo) / (fhi - flo) if hi - lo <= width / 2 or side == 0 else (lo + hi) / 2
        width = hi - lo
        fx = f(x) - target
        if fx < 0:
            lo, flo = x, fx
            if side == -1:
                fhi /= 2
            side = -1
        else:
            hi, fhi = x, fx
            if side == 1:
                flo /= 2
            side = 1
        if abs(fx) <= aim * target:
            break
    best = min(seen, key=lambda k: abs(seen[k] - target))
    return best, seen[best], status(seen[best]), len(seen)


def match_arm(base: Scenario, name: str, target: float, seeds: Sequence[int], steps: int, *,
              per: float, baseline: np.ndarray | None = None, money: bool = False,
              ) -> tuple[Match, list[float], list[tuple[np.ndarray, list[str]]]]:
    """Set arm ``name`` so that it spends ``target`` in ``base``, on ``seeds``: the match, each seed's setting, runs.

    Hours (``money`` false): the mean over seeds of the place's extra hours a
    month against ``baseline`` (:func:`spent_hours` of the runs without a
    lever on the same seeds), divided by ``per`` (the leaders the framing
    counts: statutory leaders, or all). Money: :func:`arm_money` (per place,
    ``per`` ignored). The setting never exceeds :func:`setting_cap`. A
    whole-number arm whose neighbouring settings ``k`` and ``k + 1`` both
    miss gives ``k + 1`` to the first ``m`` seeds and ``k`` to the rest, ``m``
    chosen to come nearest the target (its setting reads ``k + m / seeds``);
    so does a continuous arm whose cost jumps across the band between two
    settings however near (a seed's path changes at once).
    """
    arm = _arm(name)
    seeds = list(seeds)
    cap = setting_cap(base, name, seeds)
    n = base.n_organisations
    runs: dict[float, list] = {}
    per_seed: dict[float, np.ndarray] = {}

    def play(x: float) -> list:
        if x not in runs:
            runs[x] = simulate_batch(arm_scenario(base, name, x), seeds, steps)
        return runs[x]

    def cost(x: float) -> float:
        if x not in per_seed:
            if money:
                per_seed[x] = np.full(len(seeds), arm_money(arm_scenario(base, name, x), steps))
            else:
                per_seed[x] = (np.array([spent_hours(out, cols, n) for out, cols in play(x)]) - baseline) / per
        return float(per_seed[x].mean())

    x, realised, status, evaluations = find_setting(cost, target, cap, integer=arm.integer)
    if status == "unmatched":  # a jump across the band: mix the settings either side of it
        below = [k for k in per_seed if per_seed[k].mean() < target]
        above = [k for k in per_seed if per_seed[k].mean() >= target]
        if arm.integer and below and (max(below) + 1) <= cap:
            cost(max(below) + 1)
            above = [*above, max(below) + 1]
        if below and above:
            lo = max(below)
            hi = min((k for k in above if k > lo), default=None)
            if hi is not None:
                play(lo), play(hi)
                return _mixed(name, target, cap, seeds, lo, hi, per_seed, runs)
    play(x)
    return Match(name, target, x, realised, cap, status, evaluations), [x] * len(seeds), runs[x]


def _mixed(name: str, target: float, cap: float, seeds: list[int], lo: float, hi: float,
           per_seed: dict[float, np.ndarray], runs: dict[float, list]) -> tuple[Match, list[float], list]:
    """Setting ``hi`` for the first ``m`` seeds and ``lo`` for the rest, ``m`` coming nearest the target."""
    low, high, n = per_seed[lo], per_seed[hi], len(seeds)
    m = min(range(n + 1), key=lambda m: abs((high[:m].sum() + low[m:].sum()) / n - target))
    realised = float((high[:m].sum() + low[m:].sum()) / n)
    status = "matched" if abs(realised / target - 1.0) <= TOLERANCE else "unmatched"
    settings = [hi] * m + [lo] * (n - m)
    chosen = [runs[hi][i] if i < m else runs[lo][i] for i in range(n)]
    return Match(name, target, lo + (hi - lo) * m / n, realised, cap, status, len(runs)), settings, chosen
