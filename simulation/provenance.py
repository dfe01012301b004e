"""Where every parameter's value comes from: sourced from a public figure, assumed, or a policy lever.

The one machine-readable source of parameter provenance. ``docs/parameters.md`` is
generated from it (``python experiments/parameters.py``), and a test checks that every
parameter of :data:`simulation.scenario.PARAMETERS` has an entry here, so a new
parameter cannot be added without saying where its value comes from.

Three kinds of entry:

* **sourced** (:func:`sourced`): a public figure, its citation (title, publisher, year,
  address) and how it maps onto the parameter; with the range over which the parameter
  is still treated as uncertain (sources disagree, or the mapping is loose);
* **assumed** (:func:`assumed`): no source found; the range over which it is treated as
  uncertain (robustness designs and calibration draw from such ranges);
* **lever** (:func:`lever`): a policy setting the user chooses, not a fact about the
  world; it is varied as a lever, not as an uncertainty.

Besides the scenario parameters, the place's composition (``organisations.<kind>``)
and the kinds' size distributions (``kinds.<kind>.size_median``, ``kinds.<kind>.size_spread``)
have entries.

Examples
--------
>>> PROVENANCE["turnover_rate"].status
'sourced'
>>> PROVENANCE["gain_rate"].status, PROVENANCE["gain_rate"].range
('assumed', (0.04, 0.08))
>>> missing_entries([])
[]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["Citation", "Provenance", "PROVENANCE", "sourced", "assumed", "lever", "missing_entries",
           "stale_entries", "CITATIONS"]


@dataclass(frozen=True)
class Citation:
    """A public source: title, publisher, year and address (no author unless the source names one).

    ``year`` is None for an undated page (an encyclopaedia article): cited as "n.d." with
    the year it was read. ``author`` is given only where the source names its authors.

    Examples
    --------
    >>> Citation("A report", "A publisher", 2018, "https://example.org/r", author="A. Writer").text()
    'A. Writer, *A report*, A publisher, 2018. <https://example.org/r>'
    """

    title: str
    publisher: str
    year: int | None
    url: str
    accessed: int | None = None
    author: str = ""

    def text(self) -> str:
        """The citation as one line of markdown."""
        when = str(self.year) if self.year is not None else f"n.d. (read {self.accessed})"
        who = f"{self.author}, " if self.author else ""
        return f"{who}*{self.title}*, {self.publisher}, {when}. <{self.url}>"


@dataclass(frozen=True)
class Provenance:
    """Where one parameter's value comes from.

    Attributes
    ----------
    status : {"sourced", "assumed", "lever"}
    range : (float, float) or None
        The range over which the parameter is treated as uncertain (None for a lever).
    note : str
        For an assumed parameter, why this range; for a lever, what it sets.
    figures : tuple of (str, Citation)
        For a sourced parameter: each public figure and its source.
    mapping : str
        How the figures map onto the parameter's value.
    """

    status: str
    range: tuple[float, float] | None = None
    note: str = ""
    figures: tuple[tuple[str, Citation], ...] = field(default_factory=tuple)
    mapping: str = ""


def sourced(figures: Iterable[tuple[str, Citation]], mapping: str, low: float, high: float) -> Provenance:
    """A parameter set from public figures (still uncertain over ``[low, high]``)."""
    return Provenance("sourced", (low, high), figures=tuple(figures), mapping=mapping)


def assumed(low: float, high: float, note: str = "") -> Provenance:
    """A parameter without a source, treated as uncertain over ``[low, high]``."""
    return Provenance("assumed", (low, high), note=note)


def lever(note: str = "a policy setting") -> Provenance:
    """A policy lever (or a choice in a lever's design): set by the user, varied as a lever."""
    return Provenance("lever", None, note=note)


#: The public sources cited (found with searches of public web pages; see docs/parameters.md).
CITATIONS: dict[str, Citation] = {
    "kf_ceo_tenure": Citation("Developing NHS trust chief executives – where do chairs fit in?", "The King's Fund "
                              "(blog)", 2018, "https://www.kingsfund.org.uk/blog/2018/09/developing-nhs-trust-chief-"
                              "executives"),
    "hsj_first_time_ceo": Citation("Revealed: 60pc of trusts have a 'first-time' CEO", "HSJ (Health Service "
                                   "Journal)", 2023, "https://www.hsjjobs.com/article/revealed-60pc-of-trusts-have-a-"
                                   "first-time-ceo/"),
    "hsj_exec_turnover": Citation("Revealed: CEO and exec turnover at each acute trust", "HSJ (Health Service "
                                  "Journal)", 2022, "https://www.hsjjobs.com/article/revealed-ceo-and-exec-turnover-at-"
                                  "each-acute-trust/"),
    "cc_dcs_2024": Citation("DCS turnover rises for third consecutive year on back of high number of interim "
                            "appointments", "Community Care", 2024, "https://www.communitycare.co.uk/2024/05/01/dcs-"
                            "turnover-rises-for-third-consecutive-year-on-back-of-high-number-of-interim-"
                            "appointments/"),
    "kf_ics": Citation("Integrated care systems explained", "The King's Fund", 2022,
                       "https://www.kingsfund.org.uk/insight-and-analysis/long-reads/integrated-care-systems-"
                       "explained"),
    "adass": Citation("Association of Directors of Adult Social Services", "Wikipedia", None,
                      "https://en.wikipedia.org/wiki/Association_of_Directors_of_Adult_Social_Services", 2026),
    "nla_bevan": Citation("The Nye Bevan programme: why it's worth supporting a candidate", "NHS Leadership Academy",
                          None, "https://www.leadershipacademy.nhs.uk/news/bevan-supporting-a-candidate/", 2026),
    "nla_costs": Citation("Elizabeth Garrett Anderson programme: dates, locations and costs", "NHS Leadership Academy",
                          None, "https://www.leadershipacademy.nhs.uk/programmes/elizabeth-garrett-anderson-programme/"
                          "dates-locations-costs/", 2026),
    "rbht_2018": Citation("Trust accounts for year ended 31 March 2018", "Royal Brompton and Harefield NHS Foundation "
                          "Trust", 2018, "https://rbht.nhs.uk/node/2445"),
    "rcpch_icb": Citation("Integrated care boards, local authorities and NHS trusts (epilepsy12/constants/"
                          "integrated_care_boards.py, commit 9ed6c6e)",
                          "Royal College of Paediatrics and Child Health, rcpch-audit-engine (GitHub)", 2023, "https://github.com/rcpch/rcpch-audit-engine/blob/"
                          "9ed6c6e226caa42f7da2d8b0174bf80cd46692bd/epilepsy12/constants/integrated_care_boards.py"),
    "nhsp_2024": Citation("NHS secondary care: an overview", "NHS Providers", 2024,
                          "https://nhsproviders.org/resources/briefings/nhs-secondary-care-an-overview"),
    "ascfr_2024": Citation("Adult Social Care Activity and Finance Report, England, 2023-24: Activity and Finance "
                           "Overview", "NHS England (Digital)", 2024, "https://digital.nhs.uk/data-and-information/"
                           "publications/statistical/adult-social-care-activity-and-finance-report/2023-24/activity-"
                           "and-finance-overview"),
    "ncvo_2014": Citation("Introducing the voluntary sector, 2.1 Different sizes (Table 1, from the NCVO UK Civil "
                          "Society Almanac 2014: voluntary organisations by size, 2011/12)", "The Open University "
                          "(OpenLearn)", 2015, "https://www.open.edu/openlearn/ocw/mod/oucontent/view.php?id=21017&"
                          "section=2.1"),
    "ncvo_2021": Citation("NCVO Almanac 2021 released (summary of the NCVO UK Civil Society Almanac 2021)",
                          "Third Sector Support Group (3SG), reporting NCVO", 2021,
                          "https://www.3sg.org.uk/post/news-ncvo-almanac-2021-released"),
}
_C = CITATIONS

_LEVER = "a policy setting the user chooses (varied as a lever, not as an uncertainty)"
_DESIGN = "a choice in the design of a lever (set with the lever)"

#: Provenance of every parameter, keyed by name (``organisations.<kind>`` for the place's composition).
PROVENANCE: dict[str, Provenance] = {
    # -- the place --------------------------------------------------------------------------------
    "organisations.nhs_trust": sourced(
        [("201 acute, mental health, community and combined NHS trusts in England (2023)", _C["hsj_first_time_ceo"]),
         ("42 integrated care systems cover England", _C["kf_ics"]),
         ("3 to 18 NHS trusts listed per system, median 6, ambulance trusts included (simulation/data/england_ics.csv)",
          _C["rcpch_icb"])],
        "201 / 42 = 4.8 trusts per system, plus a share of the ambulance trusts: about 5 to 6; the default is 6. "
        "Systems differ: simulation/data/england_ics.csv gives each system's count (simulation.ics).",
        4, 8),
    "organisations.council": sourced(
        [("152 local authorities in England with social care responsibilities", _C["adass"]),
         ("42 integrated care systems cover England", _C["kf_ics"]),
         ("1 to 13 councils listed per system, median 3 (simulation/data/england_ics.csv)", _C["rcpch_icb"])],
        "152 / 42 = 3.6 councils with social care responsibilities per system; the default is 4. Systems differ: "
        "simulation/data/england_ics.csv gives each system's count (simulation.ics).", 2, 7),
    "organisations.voluntary": sourced(
        [("163,150 voluntary organisations in the UK", _C["ncvo_2021"]),
         ("42 integrated care systems cover England", _C["kf_ics"])],
        "About 3,000-4,000 voluntary organisations per system if England's share is spread evenly; the model keeps "
        "only those whose leaders take part in the place's partnerships. That share has no source: the default of "
        "90 is an assumption, and the range is wide.", 20, 200),
    # -- organisation sizes (annual budgets, £ million: the size-weighted integration index) -------
    "kinds.nhs_trust.size_median": sourced(
        [("209 NHS trusts and foundation trusts in England with a combined turnover of £124 billion",
          _C["nhsp_2024"]),
         ("a specialist NHS foundation trust's operating income was £420m in 2017/18", _C["rbht_2018"])],
        "£124bn / 209 = £593m, the mean income of a trust. Incomes are skewed (a few very large teaching trusts), "
        "so the median lies below the mean: with a log-normal spread of 0.6 the median is 593 x exp(-0.6^2/2) = "
        "£495m. The spread is not published here: uncertain over £350m-£600m.", 350, 600),
    "kinds.nhs_trust.size_spread": assumed(0.4, 0.8, "trusts' incomes range from about £150m (small community and "
                                                     "specialist trusts) to over £2bn; no distribution found"),
    "kinds.council.size_median": sourced(
        [("councils' gross current expenditure on adult social care was £27.06 billion in 2023-24", _C["ascfr_2024"]),
         ("152 local authorities in England with social care responsibilities", _C["adass"])],
        "A council's part in health and care integration is its adult social care, so its size is its gross current "
        "spending on it: £27.06bn / 152 = £178m on average; with a log-normal spread of 0.7 the median is "
        "178 x exp(-0.7^2/2) = £140m. Uncertain over £100m-£180m (the spread is assumed).", 100, 180),
    "kinds.council.size_spread": assumed(0.5, 0.9, "from small unitary councils (tens of £m) to the largest counties "
                                                   "(over £500m); no distribution found"),
    "kinds.voluntary.size_median": sourced(
        [("of 161,266 voluntary organisations in 2011/12, 51.1% had an income under £10,000, 32.8% £10,000-"
          "£100,000, 13.2% £100,000-£1m, 2.6% £1m-£10m and 0.3% over £10m; mean income £243,400", _C["ncvo_2014"])],
        "A log-normal fitted to the Almanac's bands: P(income < £10k) = 51.1% and P(< £100k) = 83.9% give "
        "sigma = ln(10) / (0.990 - 0.028) = 2.4 and a median of £9,400 (£0.0094m); it then gives 97.5% under £1m "
        "(Almanac 97.1%) and 99.8% under £10m (99.7%). The voluntary bodies in a place's partnerships are likely "
        "larger than the sector's median charity (no source says how much): uncertain over £0.005m-£0.3m.",
        0.005, 0.3),
    "kinds.voluntary.size_spread": sourced(
        [("voluntary organisations by income band, 2011/12 (see size_median)", _C["ncvo_2014"])],
        "sigma = 2.4 from the Almanac's bands (a heavy tail: most bodies micro or small, a few large ones); "
        "uncertain over 1.5-2.6.", 1.5, 2.6),
    "initial_trust": assumed(0.1, 0.3, "no survey of trust between leaders found; below the baseline trust of "
                                       "strangers because of a history of competition"),
    "initial_trust_concentration": assumed(5, 50, "spread of initial trust between pairs"),
    "pressure_spread": assumed(0.0, 1.0, "places differ widely in financial position and regulatory attention; no "
                                        "figure maps onto a logit spread of the pressure to compete"),
    "history_spread": assumed(0.0, 1.0, "histories of competition or collaboration differ between places (the essays' "
                                        "'legacy of competition'); unmeasured"),
    "demand_spread": assumed(0.0, 0.5, "demand on services differs between places; its effect on conflicts between "
                                       "leaders is unmeasured"),
    # -- dynamics ---------------------------------------------------------------------------------
    "contact_rate": assumed(0.5, 2.0, "how often two leaders of a place meet one to one; no diary study found"),
    "gain_rate": assumed(0.04, 0.08, "pace of trust building; calibrate against a place's survey "
                                     "(experiments/calibration_example.toml)"),
    "negativity_bias": assumed(1.5, 3.0, "trust falls faster than it rises (pattern P3); the ratio has no source "
                                         "for these leaders"),
    "contact_evidence": assumed(0.15, 0.45),
    "openness_evidence": assumed(0.5, 0.9),
    "withholding_evidence": assumed(0.05, 0.2),
    "drift_rate": assumed(0.01, 0.04),
    "baseline_trust": assumed(0.2, 0.4, "trust a leader extends to a stranger"),
    "conflict_rate": assumed(0.03, 0.12),
    "competitive_pressure": assumed(0.2, 0.9, "financial and regulatory pressure to compete: varies between places "
                                              "and over time"),
    "cross_sector_conflict": assumed(1.0, 2.5),
    "resolution_rate": assumed(0.6, 0.95),
    "resolution_evidence": assumed(0.3, 0.7),
    "festering_evidence": assumed(0.025, 0.1),
    "altruism_rate": assumed(0.1, 0.3),
    "altruism_evidence": assumed(0.4, 0.8),
    "turnover_rate": sourced(
        [("the average tenure of NHS trust chief executives is four years", _C["kf_ceo_tenure"]),
         ("62 of 201 trusts (31%) had a chief executive who started in the previous 18 months",
          _C["hsj_first_time_ceo"]),
         ("acute trusts had on average more than two different chief executives over five years (2017-2022)",
          _C["hsj_exec_turnover"]),
         ("the average tenure of current directors of children's services was 33 months (March 2024)",
          _C["cc_dcs_2024"]),
         ("the average tenure for a chief executive is 2½ years", _C["nla_bevan"])],
        "A constant monthly chance of leaving, h, gives an average tenure of 1/h months: four years is 1/48 = 0.021; "
        "31% gone in 18 months is -ln(0.69)/18 = 0.021; 33 months for council directors is 0.030; 2½ years is 0.033. "
        "The sources differ (2½ to 4 years), so the range covers tenures of 8 to 2 years (1/96 to 1/24); the results "
        "pivot on it (experiments/leader_turnover.toml, experiments/robustness_xlrm.toml).",
        1 / 96, 1 / 24),
    "turnover_trust_loss": assumed(0.25, 0.75, "how much of a relationship leaves with its leader; no source"),
    "partnership_threshold": assumed(0.4, 0.5, "a modelling convention: the connectedness measure does not depend "
                                               "on it"),
    "introduction_rate": assumed(0.005, 0.02),
    "introduction_trust": assumed(0.3, 0.5),
    # -- levers and their designs -----------------------------------------------------------------
    "intervention_start": lever("when the levers start acting (a policy timing)"),
    "shared_roles": lever(_LEVER),
    "shared_role_contact": assumed(2, 8, "extra meetings a shared role brings to its pair"),
    "shared_role_focus_shift": assumed(0.25, 0.75),
    "statutory_contact": lever(_LEVER),
    "leadership_development": lever(_LEVER),
    "open_book": lever(_LEVER),
    "open_book_statutory": lever(_DESIGN),
    "development_statutory": lever(_DESIGN),
    "long_term_commitment": lever(_LEVER),
    "system_board": lever(_LEVER),
    "board_contact_rate": lever(_DESIGN),
    "collaboration_mandate": lever(_LEVER),
    "regulator_incentive": lever(_LEVER),
    "health_wellbeing_board": lever(_LEVER),
    "hwb_contact_rate": lever(_DESIGN),
    "hwb_voluntary_members": lever(_DESIGN),
    "hwb_common_cause": assumed(0.25, 0.75),
    "pooled_budget": lever(_LEVER),
    "merger_trust_kept": assumed(0.4, 0.8),
    "merger_disruption": assumed(0.1, 0.3),
    "board_decision_conflict": assumed(0.25, 0.75),
    "board_authority": assumed(0.15, 0.5),
    "suppressed_resurface": assumed(0.02, 0.1),
    "place_programmes": lever(_LEVER),
    "programme_cohort_size": lever(_DESIGN),
    "programme_months": lever(_DESIGN),
    "programme_contact": lever(_DESIGN),
    "programme_tie_contact": assumed(0.0, 0.5, "whether ties made in a cohort keep meeting afterwards"),
    # -- behaviour that reads trust (docs/ODD.md §7.18): 0 (a group weight of 1) is the earlier model ---------
    "reciprocity": assumed(0.0, 2.0, "conditional cooperation (people cooperate as far as they expect others to) is "
                                     "central to the trust literature, but its strength between these leaders is "
                                     "unmeasured; at 2 a fully trusted partner gets e^4 = 55 times the odds of "
                                     "sharing of a fully distrusted one"),
    "contact_reciprocity": assumed(0.0, 1.0, "leaders meet partners they trust more often; no diary study found; at "
                                             "1 a pair at full trust asks for e = 2.7 times the one-to-ones of a "
                                             "pair at 0.5"),
    "suspicion": assumed(0.0, 0.5, "a distrusted partner's good acts read as tactics; unmeasured"),
    "conflict_strain": assumed(0.0, 0.5, "festering conflicts sour contact and cooperation (the essays' 'surface and "
                                         "resolve conflicts, rather than letting them fester'); unmeasured"),
    "rivalry": assumed(0.0, 2.0, "the legacy of competition acting on behaviour, beyond starting trust; unmeasured"),
    # -- boundary spanners relay (docs/ODD.md §7.21): 0 is the earlier model ------------------------------------
    "role_brokerage": assumed(0.0, 1.0, "a boundary spanner's 'reticulist' role is to network and broker across "
                                        "organisations (Williams 2002, Public Administration 80(1)); how often a "
                                        "joint post's holder introduces the other to their own partners is "
                                        "unmeasured; at 1 the role counts as a partnership every month"),
    "role_relay": assumed(0.0, 0.5, "boundary spanners interpret and communicate between organisations (Williams "
                                    "2002) and brokers carry knowledge across the gap (Long, Cunningham and "
                                    "Braithwaite 2013, BMC Health Services Research 13:158); what a holder passes on "
                                    "is second-hand, so at most half of first-hand evidence; unmeasured"),
    "group_meeting_weight": assumed(0.1, 1.0, "what a pair learns of each other at a meeting of ten or more, against a "
                                              "one-to-one; 1 counts a group meeting as a one-to-one (the earlier "
                                              "model), which overstates it"),
    "programme_growth": assumed(0.05, 0.2),
    "programme_focus_shift": assumed(0.15, 0.45),
    "development_relationship_effect": assumed(0.25, 0.75),
    "development_power_effect": assumed(0.15, 0.45),
    "development_facilitation_effect": assumed(0.25, 0.75),
    "shared_vision": lever(_LEVER),
    "vision_hours_scale": assumed(20, 80),
    "vision_focus_shift": assumed(0.15, 0.45),
    "vision_common_cause": assumed(0.25, 0.75),
    "coproduction": lever(_LEVER),
    "coproduction_effect": assumed(0.2, 0.6),
    "community_investment": lever(_LEVER),
    "community_base": assumed(0.15, 0.45),
    "community_growth": assumed(0.025, 0.1),
    "voluntary_strength": assumed(0.25, 1.0),
    # -- frontline staff --------------------------------------------------------------------------
    "staff_contact": assumed(1, 4),
    "joint_working_threshold": assumed(0.35, 0.55),
    "joint_success_base": assumed(0.3, 0.9),
    "staff_learning": assumed(0.1, 0.3),
    "staff_feedback": assumed(0.025, 0.1),
    # -- costs ------------------------------------------------------------------------------------
    "meeting_hours": assumed(1, 3, "a one-to-one meeting with preparation and travel"),
    "board_meeting_hours": assumed(3, 6),
    "shared_role_hours": assumed(8, 24, "the duties of a joint post for each of its two leaders"),
    "shared_role_new_time": assumed(0.25, 1.0, "Burstow's shared STP lead role went to two serving leaders, so part "
                                               "of it replaces duties they had; how much is not reported"),
    "hwb_meeting_hours": assumed(2, 4),
    "pooled_budget_hours": assumed(3, 10),
    "organisation_budget": sourced(
        [("a specialist NHS foundation trust's operating income was £420m in 2017/18 (£341m from patient care, £79m "
          "other)", _C["rbht_2018"])],
        "£420m a year is £35m a month; one trust gives the scale only (trusts and councils differ several-fold), so "
        "the default of £30m a month is treated as uncertain over £10m-£60m.", 10, 60),
    "merger_cost": assumed(5, 20),
    "open_book_hours": assumed(2, 6),
    "development_hours": assumed(3, 9),
    "development_cost": sourced(
        [("the NHS Leadership Academy's 24-month senior leadership programme costs £6,000 a person",
          _C["nla_costs"])],
        "£6,000 over 24 months is £250 a month a leader; executive programmes and coaching for chief executives cost "
        "more, so the default of £400 a month is treated as uncertain over £250-£800.", 250, 800),
    "commitment_hours": assumed(1, 4),
    "programme_hours": assumed(4, 12),
    "programme_cost": assumed(250, 1000),
    "coproduction_hours": assumed(3, 9),
    "community_investment_cost": assumed(0.25, 1.0),
}


def missing_entries(names: Iterable[str]) -> list[str]:
    """Parameters among ``names`` without a provenance entry."""
    return [n for n in names if n not in PROVENANCE]


def stale_entries(names: Iterable[str]) -> list[str]:
    """Entries naming no parameter among ``names`` (nor ``organisations.<kind>``, nor ``kinds.<kind>.<key>``)."""
    known = set(names)
    return [n for n in PROVENANCE if n not in known and not n.startswith(("organisations.", "kinds."))]
