"""The debrief: how trust and integration evolved, and which choices made the difference.

Tables from a :class:`~simulation.classroom.session.ClassroomSession`
(one row per round of the place; one per student and round; the choices
made; the correlation of each kind of choice with what followed), and all of
them as one tidy CSV for a spreadsheet.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["debrief_tables", "choice_effects", "debrief_csv", "debrief_summary"]

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


def debrief_summary(session: Any) -> dict[str, Any]:
    """The debrief as JSON-ready data: the place's path, the effects of choices, the events."""
    t = debrief_tables(session)
    place = t["place"]
    effects = t["effects"]
    ranked = effects.dropna(subset=["spearman"]).assign(strength=lambda d: d["spearman"].abs())
    ranked = ranked.sort_values("strength", ascending=False).head(5)
    return {
        "rounds": int(place["round"].max()) if len(place) else 0,
        "integration_start": float(place["integration"].iloc[0]) if len(place) else float("nan"),
        "integration_end": float(place["integration"].iloc[-1]) if len(place) else float("nan"),
        "mean_trust_start": float(place["mean_trust"].iloc[0]) if len(place) else float("nan"),
        "mean_trust_end": float(place["mean_trust"].iloc[-1]) if len(place) else float("nan"),
        "place": place.to_dict(orient="records"),
        "effects": ranked.drop(columns="strength").to_dict(orient="records"),
        "events": t["events"].to_dict(orient="records") if len(t["events"]) else [],
    }


def debrief_csv(session: Any) -> str:
    """Every debrief table in one tidy CSV: ``section, round, month, organisation, name, metric, value``."""
    t = debrief_tables(session)
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
    if not t["effects"].empty:
        e = t["effects"].assign(section="effect", metric=lambda d: d["choice"] + "~" + d["outcome"],
                                value=lambda d: d["spearman"])[["section", "metric", "value", "students"]]
        long.append(e)
    if not t["events"].empty:
        ev = t["events"].assign(section="event", metric=lambda d: d["kind"], value=lambda d: d["text"])
        long.append(ev[["section", "round", "month", "metric", "value"]])
    cols = ["section", "round", "month", "organisation", "name", "metric", "value", "students"]
    out = pd.concat(long, ignore_index=True) if long else pd.DataFrame(columns=cols)
    out = out.reindex(columns=cols)
    for c in ("round", "month", "organisation", "students"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("Int64")
    buf = io.StringIO()
    out.to_csv(buf, index=False)
    return buf.getvalue()
