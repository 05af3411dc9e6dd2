"""The seed fund held to Howell (2017) and to the cost per job of evaluated business support, and the
incubators held to the accelerator literature (Yu 2020; Amezcua et al.): the programme's startups
against the same startups in the paired baseline.

A startup is the same startup in both runs when it has the same `key` (its zone, founding month and
rank among that zone-month's foundings): its attributes and every draw of its life are keyed on it.
The run's `number` (the residents' employer code) and Mesa's `unique_id` are running counters that
part ways as soon as a founding count differs or an agent is added (the incubator scenario's new
incubator takes a Mesa id in the first month, and its presence shifts the founding weights, and
with them the numbers, from the third), so they are never used to match. Until the programme acts
on it, a startup has the same state in both runs; a participant whose twin is missing, or differs
when the programme acts (an indirect effect of the programme, through incubator places or the
labour market), is left out and counted (`unmatched`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ampsim.interventions.seed_fund import SeedFund
from ampsim.model import AMPModel, RunSettings
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.evaluation.evidence import Evidence, Measurement
from ampsim.studies.evaluation.experiment import Check, VirtualExperiment
from ampsim.studies.evaluation.paired import PairedRuns, paired_runs
from ampsim.submodels.startups import Startup

SCALE = 0.005  # startups are simulated one for one at every scale: the smallest round scale will do
SEED_FUND_ENTRY_MONTHS = 60  # tickets of the fund's first five years (100 of its 200)
NEXT_ROUND_MONTHS = 24  # Howell's outcome: a next round within two years of the award
JOB_YEARS_MONTHS = 60  # jobs of the funded startups over five years
INCUBATOR_ENTRY_MONTHS = 36  # admissions of the programme's first three years
SURVIVAL_HORIZONS = {"12m": 12, "36m": 36}  # months after admission: end of a 12-month programme, 3 years
ELIGIBILITY_MONTHS = 24  # incubators admit startups under two years old: cohorts are followed that long


def alive(model: AMPModel, startup: Startup) -> bool:
    """Whether `startup` (an agent of `model`) is still a startup: neither closed nor graduated."""
    return model.startups.registry[startup.number - 1]["end"] is None


def state(startup: Startup) -> tuple:
    """What is equal in both runs until a programme acts on the startup."""
    return (
        startup.stage,
        startup.funding_eur,
        startup.desired_size,
        startup.ever_incubated,
        tuple(startup.paid_positions),
    )


@dataclass
class Twin:
    """A participant: the startup in the scenario run and the same startup in the baseline run."""

    key: int
    month: int  # month the programme acted on it (at the month's start)
    stage: int  # funding stage before it acted
    treated: Startup
    control: Startup
    outcomes: dict[str, tuple[float, float]] = field(default_factory=dict)  # name -> (treated, control)

    def elapsed(self, month: int) -> int:
        """Months of follow-up at the end of `month` (1 at the end of the month of entry)."""
        return month - self.month + 1


@dataclass
class TwinPanel:
    """Participants matched by identity, from both runs' startups as they were at the start of the
    month (a programme acts first thing in a month; a twin may close later in it)."""

    twins: list[Twin] = field(default_factory=list)
    unmatched: int = 0  # participants without an identical twin in the baseline when they entered
    scenario: dict[int, tuple[Startup, tuple]] = field(default_factory=dict)  # key -> (agent, state)
    baseline: dict[int, tuple[Startup, tuple]] = field(default_factory=dict)

    def snapshot(self, pair: PairedRuns) -> None:
        """Record both runs' startups as the next month starts."""
        self.scenario = {s.key: (s, state(s)) for s in pair.scenario.startups.agents}
        self.baseline = {s.key: (s, state(s)) for s in pair.baseline.startups.agents}

    def enrol(self, keys: Iterable[int], month: int) -> None:
        """Add the startups the programme acted on this month, each with its baseline twin."""
        for key in sorted(keys):
            treated, control = self.scenario.get(key), self.baseline.get(key)
            if treated is None or control is None or treated[1] != control[1]:
                self.unmatched += 1
                continue
            self.twins.append(Twin(key, month, treated[1][0], treated[0], control[0]))

    def measurement(self, name: str) -> Measurement:
        """Sums over the participants whose outcome `name` was recorded."""
        pairs = [twin.outcomes[name] for twin in self.twins if name in twin.outcomes]
        return Measurement(
            treated=float(sum(t for t, _ in pairs)),
            control=float(sum(c for _, c in pairs)),
            participants=len(pairs),
            squares=float(sum((t - c) ** 2 for t, c in pairs)),
        )


def _programme(model: AMPModel, kind: type) -> list:
    return [i for i in model.interventions if isinstance(i, kind)]


# --- seed fund ----------------------------------------------------------------------------------
def measure_seed_fund(
    baseline: Scenario, scenario: Scenario, settings: RunSettings
) -> Mapping[str, Measurement]:
    """Startups funded in the fund's first `SEED_FUND_ENTRY_MONTHS` months: whether they raised
    their next round within 24 months of the ticket, and their job-years over five years, with the
    ticket and (the same startups) in the paired baseline; and every startup's job-years over the
    run, with the fund and without, per ticket paid (net of the rounds the funded startups take
    from others)."""
    panel = TwinPanel()
    job_years: dict[int, list[float]] = {}  # key -> [treated, control]
    all_job_years = [0.0, 0.0]  # every startup's, with the fund and without
    with paired_runs(baseline, scenario, settings) as pair:
        funds = _programme(pair.scenario, SeedFund)
        seen: set[int] = set()

        def observe(pair: PairedRuns) -> None:
            month = pair.month
            all_job_years[0] += sum(s.employees for s in pair.scenario.startups.agents) / 12
            all_job_years[1] += sum(s.employees for s in pair.baseline.startups.agents) / 12
            if month <= SEED_FUND_ENTRY_MONTHS:
                funded = set().union(*(fund.funded for fund in funds)) if funds else set()
                panel.enrol(funded - seen, month)
                seen.update(funded)
            for twin in panel.twins:
                elapsed = twin.elapsed(month)
                if elapsed == NEXT_ROUND_MONTHS:
                    twin.outcomes["next_round"] = (
                        float(twin.treated.stage > twin.stage),
                        float(twin.control.stage > twin.stage),
                    )
                if elapsed <= JOB_YEARS_MONTHS:
                    sums = job_years.setdefault(twin.key, [0.0, 0.0])
                    if alive(pair.scenario, twin.treated):
                        sums[0] += twin.treated.employees / 12
                    if alive(pair.baseline, twin.control):
                        sums[1] += twin.control.employees / 12
                if elapsed == JOB_YEARS_MONTHS:
                    twin.outcomes["job_years"] = (job_years[twin.key][0], job_years[twin.key][1])
            panel.snapshot(pair)

        panel.snapshot(pair)
        pair.run(observe)
        tickets = sum(fund.paid for fund in funds)
    return {
        "seed_fund.next_round_24m": panel.measurement("next_round"),
        "seed_fund.job_years_60m": panel.measurement("job_years"),
        "seed_fund.net_job_years": Measurement(all_job_years[0], all_job_years[1], tickets),
        "seed_fund.unmatched": Measurement(float(panel.unmatched), 0.0, len(panel.twins) + panel.unmatched),
    }


HOWELL = Evidence(
    study="Howell (2017), AER 107(4): 1136-1164: an SBIR Phase I grant (about $150k) roughly doubles the "
    "probability of subsequent venture capital (regression discontinuity on applicants' ranks); Santoleri, "
    "Mina, Di Minin & Martelli (2024), REStat: the EU SME Instrument grant raises later equity funding, "
    "through funding, not certification",
    estimate=2.0,
    low=1.5,
    high=2.5,
    interval_basis="reconstructed from 'roughly doubles'; the review's acceptance range",
    applies="SBIR Phase I grants are about $150k for R&D prototypes of US firms, and the outcome is VC "
    "at any later date; the simulated fund gives 50,000 € tickets to pre-seed startups of the metropolis, "
    "and the outcome is their next round within 24 months",
)
COST_PER_JOB = Evidence(
    study="Evaluated business support costs tens of thousands of euros per net job: the UK Regional Growth "
    "Fund, just under £15,000 per additional employment-year (Belmana for BEIS and DLUHC, 2022, matched "
    "comparisons) and £33,000 per expected net additional job, similar to past programmes (NAO, 2012)",
    estimate=50_000 / 17_500,
    low=0.0,
    high=5.0,
    interval_basis="one-sided: the review's acceptance 'at least 10 k€ per net job-year' is at most 5 "
    "job-years per 50,000 € ticket; the point is the RGF's £15,000 (about 17.5 k€) per employment-year",
    applies="the RGF gave capital grants to established firms; the check is on every startup's jobs, with "
    "the fund and without (deadweight netted out by pairing, and the rounds the funded startups take from "
    "others' counted), over the fund's ten years: a ticket's follow-up is five years on average, and the "
    "jobs of startups that become established firms (at eight years) are no longer counted",
)

SEED_FUND = VirtualExperiment(
    name="seed_fund",
    programme="Seed fund (AMP Amorçage)",
    scenario_file="seed_fund.yaml",
    programme_type="seed_fund",
    months=SEED_FUND_ENTRY_MONTHS + JOB_YEARS_MONTHS,
    checks=(
        Check(
            "seed_fund.next_round_24m",
            "funded startups raising their next round",
            "24 months after the ticket",
            "ratio",
            "ratio",
            HOWELL,
        ),
        Check(
            "seed_fund.net_job_years",
            "net extra startup job-years in the metropolis per 50,000 € ticket",
            "the fund's ten years",
            "difference",
            "job-years per ticket",
            COST_PER_JOB,
        ),
    ),
    measure=measure_seed_fund,
    scale=SCALE,
)


# --- incubators ---------------------------------------------------------------------------------
def ever_incubated_share(model: AMPModel, first_month: int, last_month: int) -> tuple[int, int]:
    """(ever incubated, founded) among startups founded in `first_month`..`last_month`, founding
    cohorts that must be past the incubators' age limit by now."""
    sector = model.startups
    agents = {s.number: s for s in sector.agents}
    founded = incubated = 0
    for row in sector.registry:
        if first_month <= row["founded_month"] <= last_month:
            founded += 1
            agent = agents.get(row["number"])
            incubated += bool(agent.ever_incubated if agent is not None else row.get("ever_incubated", False))
    return incubated, founded


def measure_incubators(
    baseline: Scenario, scenario: Scenario, settings: RunSettings
) -> Mapping[str, Measurement]:
    """Startups the programme's places brought in (admitted in the scenario in its first
    `INCUBATOR_ENTRY_MONTHS` months and not incubated in the baseline by then): alive 12 and 36
    months after admission, with the places and in the paired baseline; and the baseline's share of
    new startups ever incubated."""
    panel = TwinPanel()
    with paired_runs(baseline, scenario, settings) as pair:

        def observe(pair: PairedRuns) -> None:
            month = pair.month
            if month <= INCUBATOR_ENTRY_MONTHS:
                # admitted this month in the scenario, and not in the baseline, this month included
                brought_in = [
                    s.key
                    for s in pair.scenario.startups.agents
                    if s.ever_incubated
                    and s.key in panel.scenario
                    and not panel.scenario[s.key][1][3]
                    and s.key in panel.baseline
                    and not panel.baseline[s.key][0].ever_incubated
                ]
                panel.enrol(brought_in, month)
            for twin in panel.twins:
                for label, horizon in SURVIVAL_HORIZONS.items():
                    if twin.elapsed(month) == horizon:
                        twin.outcomes[label] = (
                            100.0 * alive(pair.scenario, twin.treated),
                            100.0 * alive(pair.baseline, twin.control),
                        )
                if twin.elapsed(month) == max(SURVIVAL_HORIZONS.values()):
                    twin.outcomes["control_incubated"] = (float(twin.control.ever_incubated), 0.0)
            panel.snapshot(pair)

        panel.snapshot(pair)
        pair.run(observe)
        last = settings.months - ELIGIBILITY_MONTHS
        incubated, founded = ever_incubated_share(pair.baseline, 1, last)
        extra, extra_founded = ever_incubated_share(pair.scenario, 1, last)
    results = {f"incubators.survival_{label}": panel.measurement(label) for label in SURVIVAL_HORIZONS}
    results["incubators.share_incubated"] = Measurement(float(incubated), 0.0, founded, float(incubated))
    results["incubators.share_incubated_scenario"] = Measurement(
        float(extra), 0.0, extra_founded, float(extra)
    )
    results["incubators.controls_incubated_later"] = panel.measurement("control_incubated")
    results["incubators.unmatched"] = Measurement(
        float(panel.unmatched), 0.0, len(panel.twins) + panel.unmatched
    )
    return results


AMEZCUA_DURING = Evidence(
    study="Amezcua, Bradley, Wiklund et al. (2011), AOM Proceedings, 18,909 incubated US firms, 1990-2008: "
    "lower exit rates during incubation; Amezcua, Grimes, Bradley & Wiklund (2013), AMJ 56(6): 1628-1654",
    estimate=float("nan"),
    low=0.0,
    high=100.0,
    interval_basis="no quantified interval: the check is the sign (survival at the end of a 12-month "
    "programme not lower with it than without)",
    applies="US incubators of all kinds; the simulated places are 12- and 18-month programmes",
)
YU_AFTER = Evidence(
    study="Yu (2020), Management Science 66(2): 530-552, about 900 accelerated and 900 matched companies: "
    "accelerated companies close down earlier and more often (they learn their quality sooner); Amezcua et "
    "al. (2011): higher exit rates after incubation; Schwartz (2013), J. Technol. Transfer 38: 302-331: no "
    "significant survival gain in matched pairs",
    estimate=float("nan"),
    low=-100.0,
    high=0.0,
    interval_basis="no quantified interval: the check is the sign (3-year survival not higher with the "
    "programme than without); the papers give no effect size in the sources read",
    applies="US accelerators (3-month programmes with seed money) and German incubators; the simulated "
    "places are incubation without money",
)
SHARE_INCUBATED = Evidence(
    study="No regional figure found. Hathaway (2019, ianhathaway.org, PitchBook data): 21 % of US "
    "Series A companies of 2015-2018 (28 % in 2018) had been through an accelerator or incubator, an "
    "upper bound by its author's account; the review asks for 'of the order of a quarter to a third'",
    estimate=0.29,
    low=0.25,
    high=0.33,
    interval_basis="assumption: the review's range 0.25-0.33, for want of a documented share of the "
    "metropolis's new startups ever incubated",
)

INCUBATORS = VirtualExperiment(
    name="incubators",
    programme="Incubation (+20 places at Belle de Mai, a new 30-place incubator)",
    scenario_file="incubator.yaml",
    programme_type="incubator",
    months=INCUBATOR_ENTRY_MONTHS + max(SURVIVAL_HORIZONS.values()),
    checks=(
        Check(
            "incubators.survival_12m",
            "startups the places brought in, alive (points)",
            "12 months after admission",
            "difference",
            "points",
            AMEZCUA_DURING,
        ),
        Check(
            "incubators.survival_36m",
            "startups the places brought in, alive (points)",
            "36 months after admission",
            "difference",
            "points",
            YU_AFTER,
        ),
        Check(
            "incubators.share_incubated",
            "new startups ever incubated, baseline (share)",
            "founding cohorts past the 24-month age limit",
            "difference",
            "share",
            SHARE_INCUBATED,
        ),
    ),
    measure=measure_incubators,
    scale=SCALE,
)

STARTUP_EXPERIMENTS: tuple[VirtualExperiment, ...] = (SEED_FUND, INCUBATORS)
