"""Interventions: what each lever changes, kept apart from the rules.

Relational levers act on leaders and relationships (shared boundary-spanning
roles, leadership development, open-book agreements, long-term commitment);
structural levers act on the formal network or the rules of the game (a
system board, a regulator's collaboration mandate). Each is switched on by its
own parameter, so "relationships matter more than structures" is a question
the model can answer, not an assumption.

All take effect at month ``intervention_start`` (0: from the start).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .relationships import Leaders, Relationships

__all__ = [
    "RELATIONAL_LEVERS",
    "STRUCTURAL_LEVERS",
    "effective_traits",
    "effective_pressure",
    "shared_role_members",
    "add_shared_roles",
    "add_system_board",
]

#: Parameters that act on relationships between people.
RELATIONAL_LEVERS: tuple[str, ...] = (
    "shared_roles",
    "leadership_development",
    "open_book",
    "long_term_commitment",
)
#: Parameters that act on formal structure and the rules of the game.
STRUCTURAL_LEVERS: tuple[str, ...] = ("system_board", "collaboration_mandate")

_NHS, _COUNCIL = "nhs", "local_government"


def effective_traits(
    raw: Mapping[str, np.ndarray],
    params: Mapping[str, float],
    active: bool,
    in_shared_role: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    r"""Leader traits after the relational interventions.

    .. math::
        \tau' = \tau + o (1 - \tau), \quad s' = s + d (1 - s), \quad
        \phi' = \phi (1 - h\,[\text{in a shared role}])

    with ``o = open_book``, ``d = leadership_development`` and
    ``h = shared_role_focus_shift``.

    Examples
    --------
    >>> raw = {"transparency": np.array([0.5]), "conflict_skill": np.array([0.2]),
    ...        "altruism": np.array([0.3]), "institutional_focus": np.array([0.8])}
    >>> p = {"open_book": 0.5, "leadership_development": 0.5, "shared_role_focus_shift": 0.5}
    >>> t = effective_traits(raw, p, True, np.array([True]))
    >>> [round(float(t[k][0]), 6) for k in ("transparency", "conflict_skill", "institutional_focus")]
    [0.75, 0.6, 0.4]
    """
    out = {k: v.copy() for k, v in raw.items()}
    if not active:
        return out
    ob, ld = params["open_book"], params["leadership_development"]
    out["transparency"] = raw["transparency"] + ob * (1 - raw["transparency"])
    out["conflict_skill"] = raw["conflict_skill"] + ld * (1 - raw["conflict_skill"])
    if in_shared_role is not None:
        shift = params["shared_role_focus_shift"] * in_shared_role
        out["institutional_focus"] = raw["institutional_focus"] * (1 - shift)
    return out


def effective_pressure(params: Mapping[str, float], active: bool) -> float:
    r"""Competitive pressure after a regulator's collaboration mandate: :math:`\pi (1 - m)`."""
    mandate = params["collaboration_mandate"] if active else 0.0
    return params["competitive_pressure"] * (1.0 - mandate)


def shared_role_members(rel: Relationships, n: int) -> np.ndarray:
    """Organisations whose leaders hold a shared boundary-spanning role."""
    members = np.zeros(n, dtype=bool)
    members[rel.pairs[rel.shared_role].ravel()] = True
    return members


def add_shared_roles(
    rel: Relationships,
    leaders: Leaders,
    sector_names: list[str],
    n_roles: int,
    extra_contact: float,
    new_tie_trust: float,
    rng: np.random.Generator,
    base_contact: float = 0.0,
) -> int:
    """Create up to ``n_roles`` shared NHS–council leadership roles.

    Each role joins one NHS organisation and one council (sectors ``nhs`` and
    ``local_government``), chosen at random among pairs without a role,
    existing relationships first. The pair gains ``extra_contact`` meetings a
    month; a missing relationship is created with ``new_tie_trust`` and the
    ordinary contact rate of a new relationship, ``base_contact * sqrt(w_i w_j)``
    (kind contact weights), before the extra.

    Returns
    -------
    int
        Roles created (fewer than asked if there are not enough pairs).
    """
    sector = np.array(sector_names)[leaders.sector]
    nhs = np.flatnonzero(sector == _NHS)
    council = np.flatnonzero(sector == _COUNCIL)
    if n_roles <= 0 or len(nhs) == 0 or len(council) == 0:
        return 0
    a, b = np.meshgrid(nhs, council, indexing="ij")
    cand = np.column_stack([np.minimum(a, b).ravel(), np.maximum(a, b).ravel()])
    new = ~rel.has_pairs(cand, leaders.n)
    keys = rel.keys(leaders.n)
    cand_keys = cand[:, 0] * leaders.n + cand[:, 1]
    has_role = np.isin(cand_keys, keys[rel.shared_role])
    # existing relationships first, each group in random order
    order = np.lexsort((rng.random(len(cand)), new))
    order = order[~has_role[order]][:n_roles]
    chosen = cand[order]
    fresh = chosen[new[order]]
    w = leaders.contact_weight
    rel.add(fresh, np.full(2 * len(fresh), new_tie_trust), base_contact * np.sqrt(w[fresh[:, 0]] * w[fresh[:, 1]]))
    keys = rel.keys(leaders.n)
    idx = np.flatnonzero(np.isin(keys, chosen[:, 0] * leaders.n + chosen[:, 1]))
    rel.shared_role[idx] = True
    rel.contact_rate[idx] += extra_contact
    return len(chosen)


def add_system_board(
    rel: Relationships, leaders: Leaders, board_contact: float, new_tie_trust: float
) -> int:
    """Overlay a formal system board on all statutory organisations.

    Every pair of statutory organisations gets a formal tie: existing
    relationships gain ``board_contact`` meetings a month; missing ones are
    created with ``new_tie_trust`` and only that contact rate.

    Returns
    -------
    int
        Number of new relationships the board created.
    """
    members = np.flatnonzero(leaders.statutory)
    if len(members) < 2:
        return 0
    i, j = np.triu_indices(len(members), k=1)
    cand = np.column_stack([members[i], members[j]])
    new = ~rel.has_pairs(cand, leaders.n)
    existing = np.isin(rel.keys(leaders.n), cand[:, 0] * leaders.n + cand[:, 1])
    rel.contact_rate[existing] += board_contact
    rel.formal[existing] = True
    fresh = cand[new]
    rel.add(fresh, np.full(2 * len(fresh), new_tie_trust), np.full(len(fresh), board_contact), formal=True)
    return len(fresh)
