"""Levers set to cost the same leader-hours: the contest's pairing (``experiments/contest.py``).

:func:`lever_at_hours` turns a budget of extra hours a month into a lever's
setting, in one of two framings (:data:`FRAMINGS`):

``same_leaders``
    ``H`` hours a month of each of the place's statutory leaders (the NHS
    trusts' and councils'): more one-to-one meetings between them,
    ``f_S = H / (h_m d_S)`` in each of their relationships (``d_S`` =
    :data:`STATUTORY_PARTNERS`); shared NHS–council roles,
    ``R = 10 H / (2 h_R)`` (rounded, at least one); a system board meeting
    ``f_B = H / h_B`` times a month; a quarterly board with a pooled budget
    taking the rest of the hours (``s = (H - f_B h_B) / h_P``, at most 1); a
    Health and Wellbeing Board meeting ``f_W = H / h_W`` times a month.
``place``
    ``H`` hours a month per leader averaged over the whole place: more
    contact, open books, leadership development or a long-term commitment for
    everyone; a structure, whose members are 10 of the place's leaders, gets
    the hours of all of them (``H n / 10`` of each member's).

Examples
--------
>>> from simulation import Scenario
>>> base = Scenario()
>>> lever_at_hours(base, "system_board", 2.0).params["board_contact_rate"] == 2.0 / base.board_meeting_hours
True
>>> lever_at_hours(base, "open_book", 2.0, "place").open_book == min(1.0, 2.0 / base.open_book_hours)
True
"""

from __future__ import annotations

from .scenario import Scenario, ScenarioError

__all__ = ["FRAMINGS", "STATUTORY_PARTNERS", "SAME_LEADERS_LEVERS", "PLACE_LEVERS", "lever_at_hours"]

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


def lever_at_hours(base: Scenario, name: str, hours: float, framing: str = "same_leaders") -> Scenario:
    """``base`` with lever ``name`` set to cost about ``hours`` hours a month (see the module docstring).

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
        rate = 0.25  # a quarterly board allocates the pool
        share = min(1.0, max(0.0, hours - rate * p["board_meeting_hours"]) / p["pooled_budget_hours"])
        return base.replace(system_board=True, board_contact_rate=rate, pooled_budget=share)
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
