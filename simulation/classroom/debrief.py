"""The debrief: how trust and integration evolved, and which choices made the difference.

Tables from a :class:`~simulation.classroom.session.ClassroomSession`
(one row per round of the place; one per student and round; the choices
made; the correlation of each kind of choice with what followed), and all of
them as one tidy CSV for a spreadsheet.

Correlations are given only with :data:`MIN_STUDENTS` students or more; below
that the debrief lists each student's choices and outcomes as anecdotes.
Organisations are numbered as on the screens (the number in their name, from 1),
and text cells that a spreadsheet would run as a formula are made inert.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["debrief_tables", "choice_effects", "debrief_csv", "debrief_summary", "MIN_STUDENTS", "inert"]

#: Fewest students for the debrief to show correlations (fewer: anecdotes).
MIN_STUDENTS = 10
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_CHOICES = ("transparency", "altruism", "meetings_asked", "let_lie")
_OUTCOMES = ("trust_received_change", "partnerships_end", "own_result_mean")


def debrief_tables(session: Any) -> dict[str, pd.DataFrame]:
    """``place`` (per round), ``students`` (per student and round), ``choices`` (as made), ``effects``."""
    with session.lock:
        place = pd.DataFrame(session.history)
        students = pd.DataFrame(session.seat_history)
        choices = pd.DataFrame(session.choices_made)
        events = pd.DataFrame(session.events)
    return {"place": place, "students": students, "choices": choices, "effects": choice_effects(students, choices),
            "events": events}


def choice_effects(students: pd.DataFrame, choices: pd.DataFrame) -> pd.DataFrame:
    """Spearman correlation, over students, of each student's mean choice with what followed.

    Outcomes: the change in partners' trust in the student's organisation
    from their first to their last round, their partnerships at the end, and
    their organisation's mean own result. With few students, read the signs,
    not the decimals.
    """
    rows = []
    if students.empty or choices.empty:
        return pd.DataFrame(columns=["choice", "outcome", "spearman", "students"])
    s = students.sort_values("round")
    per = s.groupby("organisation").agg(first=("trust_received", "first"), last=("trust_received", "last"),
                                         partnerships_end=("partnerships", "last"),
                                         own_result_mean=("own_result", "mean"))
    per["trust_received_change"] = per["last"] - per["first"]
    mean_choice = choices.groupby("organisation")[list(_CHOICES)].mean()
    both = per.join(mean_choice, how="inner")
    for c in _CHOICES:
        for o in _OUTCOMES:
            pair = both[[c, o]].dropna()
            rho = float(pair[c].rank().corr(pair[o].rank())) if len(pair) >= 3 else float("nan")
            rows.append({"choice": c, "outcome": o, "spearman": rho if np.isfinite(rho) else float("nan"),
                         "students": len(pair)})
    return pd.DataFrame(rows)


def _per_student(students: pd.DataFrame, choices: pd.DataFrame) -> pd.DataFrame:
    """Each student's mean choices and what followed (the anecdotes of a small class)."""
    if students.empty:
        return pd.DataFrame()
    s = students.sort_values("round")
    per = s.groupby("organisation").agg(name=("name", "last"), partnerships_end=("partnerships", "last"),
                                         first=("trust_received", "first"), last=("trust_received", "last"),
                                         own_result_mean=("own_result", "mean"))
    per["trust_received_change"] = (per["last"] - per["first"]).round(3)
    per["own_result_mean"] = per["own_result_mean"].round(1)
    per = per.drop(columns=["first", "last"])
    if not choices.empty:
        per = per.join(choices.groupby("organisation")[list(_CHOICES)].mean().round(2), how="left")
    return per.reset_index()


def debrief_summary(session: Any) -> dict[str, Any]:
    """The debrief as JSON-ready data: the place's path, the effects of choices (or anecdotes), the events.

    ``effects`` (the strongest rank correlations) only when ``students >=
    MIN_STUDENTS``; otherwise ``effects`` is empty and ``anecdotes`` lists each
    student's mean choices and outcomes, with ``note`` saying why.
    """
    t = debrief_tables(session)
    place = t["place"]
    effects = t["effects"]
    n_students = int(t["students"]["organisation"].nunique()) if len(t["students"]) else 0
    statistics = n_students >= MIN_STUDENTS
    ranked = effects.dropna(subset=["spearman"]).assign(strength=lambda d: d["spearman"].abs())
    ranked = ranked.sort_values("strength", ascending=False).head(5) if statistics else ranked.head(0)
    anecdotes = [] if statistics else _per_student(t["students"], t["choices"]).to_dict(orient="records")
    names = session.model.place.names
    for row in anecdotes:
        row["organisation_name"] = names[int(row["organisation"])]
    note = (f"{n_students} students: correlations over students (read the signs, not the decimals)" if statistics
            else f"only {n_students} student(s): too few for statistics (they need {MIN_STUDENTS} or more); "
                 "each student's choices and outcomes are anecdotes, not evidence")
    return {
        "students": n_students, "statistics": statistics, "note": note, "anecdotes": anecdotes,
        "rounds": int(place["round"].max()) if len(place) else 0,
        "integration_start": float(place["integration"].iloc[0]) if len(place) else float("nan"),
        "integration_end": float(place["integration"].iloc[-1]) if len(place) else float("nan"),
        "mean_trust_start": float(place["mean_trust"].iloc[0]) if len(place) else float("nan"),
        "mean_trust_end": float(place["mean_trust"].iloc[-1]) if len(place) else float("nan"),
        "place": place.to_dict(orient="records"),
        "effects": ranked.drop(columns="strength").to_dict(orient="records"),
        "events": t["events"].to_dict(orient="records") if len(t["events"]) else [],
    }


def inert(value: Any) -> Any:
    """A text cell a spreadsheet would read as a formula (``= + - @``, tab, CR first) made text with a ``'``.

    >>> inert("=HYPERLINK(1)"), inert("Ada"), inert(-0.5)
    ("'=HYPERLINK(1)", 'Ada', -0.5)
    """
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def debrief_csv(session: Any) -> str:
    """Every debrief table in one tidy CSV.

    Columns ``section, round, month, organisation, organisation_name, name,
    metric, value, students``; ``organisation`` is the number in the
    organisation's name (from 1, as on the screens). Effects only with
    :data:`MIN_STUDENTS` students or more.
    """
    t = debrief_tables(session)
    names = list(session.model.place.names)
    n_students = int(t["students"]["organisation"].nunique()) if len(t["students"]) else 0
    long = []
    for section, frame, ids in (("place", t["place"], ["round", "month"]),
                                ("student", t["students"], ["round", "month", "organisation", "name"]),
                                ("choice", t["choices"], ["round", "organisation"])):
        if frame.empty:
            continue
        values = [c for c in frame.columns if c not in ids]
        m = frame.melt(id_vars=ids, value_vars=values, var_name="metric", value_name="value")
        m.insert(0, "section", section)
        long.append(m)
    if not t["effects"].empty and n_students >= MIN_STUDENTS:
        e = t["effects"].assign(section="effect", metric=lambda d: d["choice"] + "~" + d["outcome"],
                                value=lambda d: d["spearman"])[["section", "metric", "value", "students"]]
        long.append(e)
    if not t["events"].empty:
        ev = t["events"].assign(section="event", metric=lambda d: d["kind"], value=lambda d: d["text"])
        long.append(ev[["section", "round", "month", "metric", "value"]])
    cols = ["section", "round", "month", "organisation", "organisation_name", "name", "metric", "value", "students"]
    out = pd.concat(long, ignore_index=True) if long else pd.DataFrame(columns=cols)
    out = out.reindex(columns=cols)
    for c in ("round", "month", "organisation", "students"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("Int64")
    out["organisation_name"] = [names[i] if i is not pd.NA else None for i in out["organisation"]]
    out["organisation"] = out["organisation"] + 1  # as on the screens: the number in the name
    for c in ("organisation_name", "name", "metric", "value"):
        out[c] = out[c].map(inert).astype(object)
    buf = io.StringIO()
    out.to_csv(buf, index=False)
    return buf.getvalue()
