"""England's 42 integrated care systems as a place set: NHS trusts and councils per system, cited.

``simulation/data/england_ics.csv`` has one row per integrated care system (ICS): its
NHS England (ODS) and ONS codes, name and region, and the NHS trusts and local
authorities listed for it, by name and counted. The lists are those of the Royal College
of Paediatrics and Child Health's table of integrated care boards, local authorities and
NHS trusts (:data:`SOURCE`), as it stood on 23 April 2023, before later edits removed rows
of trusts that had merged; the counts are the distinct names per system, nothing added or
dropped.

What the source's lists are, and so what the counts mean:

* ``nhs_trusts``: the trusts serving the system, ambulance trusts included (a regional
  ambulance trust is listed in each system it serves, so it counts in several);
  ``ambulance_trusts`` says how many of them are ambulance trusts.
* ``councils``: the local authorities listed for the system, which are councils with
  social-care responsibilities (county, unitary, metropolitan and London borough councils),
  a county split between systems counting in each. The source is not complete or clean:
  its 42 rows list 156 distinct councils against 153 local authorities with social-care
  duties (Community Care, 2024), including some retired or lower-tier names (Frimley's row
  lists four district councils; Black Country's lists Birmingham but not Wolverhampton).
  Treat a row's count as the source's, not as a verified count.
* Voluntary organisations per system have no source: :func:`ics_scenario` takes the
  number from the base scenario (90 in the default, an assumption; see
  ``organisations.voluntary`` in :mod:`simulation.provenance`).

Examples
--------
>>> systems = load_ics()
>>> len(systems)
42
>>> gm = systems["QOP"]
>>> gm.name, gm.nhs_trusts, gm.councils
('NHS GREATER MANCHESTER INTEGRATED CARE BOARD', 10, 10)
>>> gm.organisations(voluntary=90)
{'nhs_trust': 10, 'council': 10, 'voluntary': 90}
>>> gm.organisations(voluntary=90, ambulance=False)
{'nhs_trust': 9, 'council': 10, 'voluntary': 90}
>>> ics_scenario("QOP").organisations
{'nhs_trust': 10, 'council': 10, 'voluntary': 90}
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from .provenance import CITATIONS, Citation
from .scenario import Scenario, ScenarioError, load_scenario

__all__ = ["ICS_PATH", "SOURCE", "IntegratedCareSystem", "load_ics", "ics_scenario", "ics_scenarios"]

#: The shipped table.
ICS_PATH = Path(__file__).parent / "data" / "england_ics.csv"

#: Where the lists come from (a public repository's file at a fixed commit; cited in simulation.provenance).
SOURCE: Citation = CITATIONS["rcpch_icb"]

_COLUMNS = ("ics_code", "ons_code", "name", "region", "nhs_trusts", "ambulance_trusts", "councils", "trust_names",
            "council_names")


@dataclass(frozen=True)
class IntegratedCareSystem:
    """One integrated care system: codes, name, region and the organisations listed for it."""

    code: str
    ons_code: str
    name: str
    region: str
    trust_names: tuple[str, ...]
    council_names: tuple[str, ...]
    ambulance_trusts: int

    @property
    def nhs_trusts(self) -> int:
        """NHS trusts listed for the system (ambulance trusts included)."""
        return len(self.trust_names)

    @property
    def councils(self) -> int:
        """Councils listed for the system."""
        return len(self.council_names)

    def organisations(self, voluntary: int, *, ambulance: bool = True) -> dict[str, int]:
        """The scenario's ``organisations`` counts for this system.

        Parameters
        ----------
        voluntary : int
            Voluntary organisations taking part (no source per system: the caller's assumption).
        ambulance : bool
            Count the ambulance trusts serving the system as NHS trusts of the place.
        """
        if isinstance(voluntary, bool) or not isinstance(voluntary, int) or voluntary < 0:
            raise ScenarioError(f"voluntary: {voluntary!r} is not a count (an integer >= 0)")
        trusts = self.nhs_trusts - (0 if ambulance else self.ambulance_trusts)
        return {"nhs_trust": trusts, "council": self.councils, "voluntary": voluntary}


def _split(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in cell.split(";") if x.strip())


def load_ics(path: str | Path = ICS_PATH) -> dict[str, IntegratedCareSystem]:
    """The systems by NHS England (ODS) code, checked: counts match the names listed.

    Raises
    ------
    ScenarioError
        Naming the file, row and column at fault.
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the ICS table: {exc}") from None
    if not rows or tuple(rows[0]) != _COLUMNS:
        raise ScenarioError(f"{path}: expected the columns {', '.join(_COLUMNS)}")
    systems: dict[str, IntegratedCareSystem] = {}
    for line, row in enumerate(rows, start=2):
        where = f"{path}: row {line} ({row['ics_code']})"
        try:
            counts = {c: int(row[c]) for c in ("nhs_trusts", "ambulance_trusts", "councils")}
        except ValueError:
            raise ScenarioError(f"{where}: nhs_trusts, ambulance_trusts and councils must be whole numbers") from None
        ics = IntegratedCareSystem(row["ics_code"], row["ons_code"], row["name"], row["region"],
                                   _split(row["trust_names"]), _split(row["council_names"]), counts["ambulance_trusts"])
        if (ics.nhs_trusts, ics.councils) != (counts["nhs_trusts"], counts["councils"]):
            raise ScenarioError(f"{where}: nhs_trusts {counts['nhs_trusts']} / councils {counts['councils']} do not "
                                f"match the {ics.nhs_trusts} trusts / {ics.councils} councils named")
        if not 0 <= ics.ambulance_trusts <= ics.nhs_trusts:
            raise ScenarioError(f"{where}: ambulance_trusts {ics.ambulance_trusts} is not between 0 and nhs_trusts")
        if ics.code in systems:
            raise ScenarioError(f"{where}: duplicate ics_code {ics.code!r}")
        systems[ics.code] = ics
    return systems


def ics_scenario(code: str, base: Scenario | str = "default", *, voluntary: int | None = None,
                 ambulance: bool = True) -> Scenario:
    """``base`` with the place's organisations set to one system's (``voluntary`` from ``base`` unless given).

    Raises
    ------
    ScenarioError
        If ``code`` is not an ICS code of the table.
    """
    systems = load_ics()
    if code not in systems:
        raise ScenarioError(f"ics: {code!r} is not an integrated care system code; codes: {', '.join(sorted(systems))}")
    scenario = load_scenario(base) if isinstance(base, str) else base
    n_voluntary = scenario.organisations.get("voluntary", 0) if voluntary is None else voluntary
    orgs = systems[code].organisations(n_voluntary, ambulance=ambulance)
    return scenario.replace(organisations=orgs, name=f"{scenario.name}@{code}")


def ics_scenarios(base: Scenario | str = "default", *, voluntary: int | None = None,
                  ambulance: bool = True) -> dict[str, Scenario]:
    """:func:`ics_scenario` for every system, by code (England's place set)."""
    return {code: ics_scenario(code, base, voluntary=voluntary, ambulance=ambulance) for code in load_ics()}
