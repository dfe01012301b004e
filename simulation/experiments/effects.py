"""The smallest effect that matters: declared once, before any run, for every verdict the experiments give.

A lever, a mechanism or a claim counts as moving an outcome only when its effect is at least
this large, not merely when its interval excludes zero (statistical separation is not practical
significance). On a time the larger of 3 months and 10% of the baseline's mean time; on a share
(joint care) the larger of 0.02 and 10% of the baseline's mean. The mechanisms' table
(``experiments/mechanisms.py``), the essays' claims (``experiments/claims.py``) and the contest
(``experiments/contest.py``) all read it from here.

Examples
--------
>>> smallest_effect("time", 22.0), smallest_effect("time", 60.0), round(smallest_effect("share", 0.4), 12)
(3.0, 6.0, 0.04)
>>> smallest_effect("share", 0.1)
0.02
>>> smallest_text("time")
'3 months or 10% of the baseline mean, whichever is larger'
"""

from __future__ import annotations

__all__ = ["SMALLEST", "smallest_effect", "smallest_text"]

#: Per kind of outcome (``time``: months; ``share``: joint care): (floor, share of the baseline's mean).
SMALLEST: dict[str, tuple[float, float]] = {"time": (3.0, 0.10), "share": (0.02, 0.10)}


def smallest_effect(kind: str, baseline_mean: float) -> float:
    """The smallest effect that matters on an outcome of ``kind`` whose mean without the change is ``baseline_mean``.

    Raises
    ------
    ValueError
        If ``kind`` is not ``"time"`` or ``"share"``.
    """
    if kind not in SMALLEST:
        raise ValueError(f"kind = {kind!r}: expected one of {', '.join(SMALLEST)}")
    floor, share = SMALLEST[kind]
    return max(floor, share * abs(baseline_mean))


def smallest_text(kind: str) -> str:
    """:func:`smallest_effect` in words, for the generated tables."""
    floor, share = SMALLEST[kind]
    unit = " months" if kind == "time" else ""
    return f"{floor:g}{unit} or {share:.0%} of the baseline mean, whichever is larger"
