"""The startups' parameters, with the sectors and funding stages they refer to."""

from __future__ import annotations

from ampsim.core.parameters import ASSUMPTION, ParameterGroup, Relative, Share, bounded, parameter

SECTORS = ("digital", "biotech_health", "cleantech_energy", "agritech", "water", "green_chemistry")
STAGES = ("pre-seed", "seed", "series A", "series B+")


RoundSize = bounded(0.0, 1e9)  # a funding round, €
RoundCount = bounded(0.0, 1e5)  # rounds a year


class StartupParameters(ParameterGroup):
    """Founding, survival, growth and funding of startups."""

    initial_count: int = parameter(
        800,
        le=10_000,
        unit="startups",
        ge=0,
        source="about 800 start-ups in the Aix-Marseille tech ecosystem (Invest in Provence, 2019)",
        description="startups alive at the start",
    )
    founding_rate: float = parameter(
        12.0,
        le=500,
        unit="startups per month",
        ge=0,
        source="calibrated so that the number alive stays near 800 with the survival profile and "
        "graduation age below",
        description="foundings per month in the metropolis",
    )
    sector_shares: tuple[Share, Share, Share, Share, Share, Share] = parameter(
        (0.45, 0.20, 0.20, 0.05, 0.05, 0.05),
        unit="share",
        source=ASSUMPTION,
        description="share of foundings in digital, biotech-health, cleantech-energy, agritech, "
        "water, green chemistry",
    )
    hazard_years_1_3: float = parameter(
        0.0105,
        unit="1/month",
        ge=0,
        le=1,
        source="derived: 60 % of the 2014 PACA cohort alive at 5 years (INSEE Analyses PACA 135) "
        "with the age profile of the 2010 French cohort, 71 % at 3 years (INSEE Première 1543); "
        "set so that survival is about 60 % once funding and incubation lower the hazard",
        description="closure hazard in the first three years",
    )
    hazard_years_4_5: float = parameter(
        0.0065,
        unit="1/month",
        ge=0,
        le=1,
        source="derived, as above",
        description="closure hazard in years four and five",
    )
    hazard_after_5_years: float = parameter(
        0.0050,
        unit="1/month",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="closure hazard after five years",
    )
    funded_hazard_multiplier: float = parameter(
        0.8,
        unit="multiplier",
        gt=0,
        le=2,
        source="initial financial means raise survival (INSEE Première 1852); modelling assumption",
        description="closure hazard of a startup that has raised a seed round or more",
    )
    graduation_age_months: int = parameter(
        96,
        le=360,
        unit="months",
        ge=12,
        source=ASSUMPTION,
        description="age at which a surviving startup counts as an established firm",
    )
    stage_probability_24_months: tuple[Share, Share, Share] = parameter(
        (0.30, 0.15, 0.25),
        unit="probability within 24 months",
        source="Carta 2018 cohort (56 % raised a seed round, B/A 40 %), seed to A 15-30 % "
        "(Chronograph); lowered for a regional French ecosystem; modelling assumption",
        description="probability of raising the next round within 24 months: seed, series A, series B+",
    )
    round_size_eur: tuple[RoundSize, RoundSize, RoundSize] = parameter(
        (0.5e6, 2.5e6, 10e6),
        unit="€",
        source="seed about 0.5 M€, series A 2-3 M€ for young French start-ups (startup-book.com); "
        "series B+ modelling assumption",
        description="amount raised in a seed, series A and series B+ round",
    )
    investor_rounds_per_year: tuple[RoundCount, RoundCount, RoundCount] = parameter(
        (72.5, 35.6, 9.5),
        unit="rounds per year",
        source="derived: Bouches-du-Rhône about 110 M€ raised in H1 2023 (Gomet barometer), so about "
        "220 M€ a year; split by the national count of rounds of the first nine months of 2023 (352 "
        "seed, 173 series A, 46 series B, Maddyness) at the round sizes above: 118 rounds a year. 2023 "
        "was a low year (Région Sud 258 M€ in H1 against 366 M€ in H1 2022): range x1-1.4",
        description="rounds the region's investors fund a year: seed, series A, series B+ (the "
        "capacity a round brought forward by a policy competes for)",
    )
    investor_carry_months: float = parameter(
        6.0,
        ge=1,
        le=60,
        unit="months",
        source=ASSUMPTION + " (range 1-12: investors' unused capacity does not wait for ever)",
        description="months of unused capacity the region's investors carry to later months",
    )
    cost_per_employee_eur: float = parameter(
        70_000,
        le=1_000_000,
        unit="€/year",
        gt=0,
        source=ASSUMPTION,
        description="yearly cost of an employee, used to turn funding into positions",
    )
    runway_years: float = parameter(
        3.0,
        le=20,
        unit="years",
        gt=0,
        source=ASSUMPTION,
        description="period a funding round pays for its positions, after which they end",
    )
    growth_drift_young: float = parameter(
        0.15,
        ge=-5,
        le=5,
        unit="1/year",
        source="calibrated to about 2.7 jobs per surviving firm at 3 years "
        "(PACA 2010 cohort, INSEE), with funding rounds on top; modelling assumption",
        description="drift of log desired size in the first three years",
    )
    growth_drift_later: float = parameter(
        0.05,
        ge=-5,
        le=5,
        unit="1/year",
        source=ASSUMPTION,
        description="drift of log desired size after three years",
    )
    growth_volatility: float = parameter(
        0.4,
        ge=0,
        le=5,
        unit="1/sqrt(year)",
        source="Laplace growth-rate shocks with volatility falling as size^-0.2 (Fu et al. 2005, "
        "PNAS; Bottazzi & Secchi); level modelling assumption",
        description="volatility of log desired size at size 1",
    )
    quality_growth: float = parameter(
        0.10,
        ge=-5,
        le=5,
        unit="1/year per unit quality",
        source=ASSUMPTION,
        description="extra drift of log desired size per standard deviation of quality",
    )
    quality_funding: float = parameter(
        0.5,
        ge=-5,
        le=5,
        unit="log multiplier per unit quality",
        source=ASSUMPTION,
        description="effect of quality on the probability of raising the next round",
    )
    founder_education_weight: tuple[Relative, Relative, Relative, Relative] = parameter(
        (0.2, 0.5, 1.0, 3.0),
        unit="relative weight",
        source="diploma raises creation and survival (INSEE Première 1852); modelling assumption",
        description="weight of a resident's diploma level 0-3 when founders are drawn",
    )
    incubator_founding_boost: float = parameter(
        0.5,
        le=10,
        unit="multiplier",
        ge=0,
        source=ASSUMPTION,
        description="extra founding weight of a zone next to incubators (times exp(-d / 5 km))",
    )
