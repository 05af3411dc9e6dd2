"""The one catalogue of indicators: what each measures, its unit, how it adds up, which way is better.

Metrics produce the values; compare, the reports, the sweeps and the app read what they mean from
here, so a label or a unit is written once. Metro indicators are the columns of a run's `metro`
table, zone indicators the columns of its `zones` table (in that order).

`kind` says how months add up over a horizon: a "rate" or a "stock" (a share, a concentration,
people at a date) is averaged, a "flow" (deaths, hires or euros per month) is summed. `better` is
"lower", "higher" or "neutral", as an outcome's direction in EMA Workbench.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Indicator:
    """What an indicator measures, how it adds up over time and which direction is better."""

    name: str
    label: str
    unit: str  # unit of one month's value; for flows, the unit of what is counted each month
    kind: str  # "rate" and "stock" are averaged over time, "flow" is summed
    better: str  # "lower", "higher" or "neutral"
    group: str = "Other"
    short: str = ""  # a label for tight places (chart legends, terminal columns); `label` if empty
    cmap: str = "viridis"  # colour map of the zone maps
    digits: int = 1  # decimals shown in the app

    @property
    def final_unit(self) -> str:
        """Unit of the final-year value: a monthly mean for flows."""
        return f"{self.unit} per month" if self.kind == "flow" else self.unit

    @property
    def total_basis(self) -> str:
        """How the whole horizon is summarised: 'cumulated' for flows, 'average' otherwise."""
        return "cumulated" if self.kind == "flow" else "average"

    @property
    def short_label(self) -> str:
        return self.short or self.label


def _family(group: str, *indicators: Indicator) -> dict[str, Indicator]:
    """Indicators of one family, keyed by name, with their group set."""
    return {i.name: Indicator(**{**i.__dict__, "group": group}) for i in indicators}


I = Indicator  # noqa: E741 - the tables below read better with a short name

METRO: dict[str, Indicator] = {
    **_family(
        "Inclusion",
        I("unemployment_rate", "Unemployment rate 15-64", "%", "rate", "lower", short="unemp %"),
        I("youth_unemployment_rate", "Youth unemployment rate 15-24", "%", "rate", "lower", short="15-24 %"),
        I("neet_share", "NEET share of 15-29 year-olds", "%", "rate", "lower", short="NEET %"),
        I(
            "long_term_unemployment_share",
            "Job seekers unemployed for a year or more",
            "%",
            "rate",
            "lower",
        ),
        I("poverty_rate", "Poverty rate", "%", "rate", "lower", short="poor %"),
        I("poverty_rate_employed", "Poverty rate of employed people", "%", "rate", "lower"),
        I("poverty_rate_unemployed", "Poverty rate of unemployed people", "%", "rate", "lower"),
        I("poverty_rate_children", "Poverty rate of children under 18", "%", "rate", "lower"),
        I("median_earnings", "Median net pay of a job", "€/month", "rate", "higher"),
        I(
            "median_income",
            "Median income per consumption unit",
            "€/year",
            "rate",
            "higher",
            short="median €",
        ),
        I("gini", "Gini index of income", "index 0-1", "rate", "lower"),
        I(
            "dissimilarity_poor",
            "Segregation of poor residents (dissimilarity)",
            "index 0-100",
            "rate",
            "lower",
        ),
        I(
            "north_south_unemployment_gap",
            "Unemployment gap, Marseille north - south",
            "points",
            "rate",
            "lower",
        ),
        I("north_south_poverty_gap", "Poverty gap, Marseille north - south", "points", "rate", "lower"),
        I("north_south_income_ratio", "Median income, Marseille north / south", "ratio", "rate", "higher"),
        # residents of the priority neighbourhoods (QPV 2024) against the rest of the metropolis
        I("qpv_population_share", "Residents living in a QPV", "%", "rate", "neutral"),
        I("qpv_unemployment_rate", "Unemployment rate 15-64 in QPV", "%", "rate", "lower"),
        I("qpv_unemployment_gap", "Unemployment gap 15-64, QPV - rest", "points", "rate", "lower"),
        I("qpv_employment_rate", "Employment rate 15-64 in QPV", "%", "rate", "higher"),
        I("qpv_employment_gap", "Employment rate gap 15-64, QPV - rest", "points", "rate", "higher"),
        I("qpv_poverty_rate", "Poverty rate in QPV", "%", "rate", "lower"),
        I("qpv_poverty_gap", "Poverty gap, QPV - rest", "points", "rate", "lower"),
        I("qpv_no2_gap", "NO2 at home, QPV - rest", "µg/m³", "rate", "lower"),
        I("qpv_pm25_gap", "PM2.5 at home, QPV - rest", "µg/m³", "rate", "lower"),
        I("displaced", "Residents displaced by rent rises", "people", "flow", "lower"),
        I("unemployed_people", "Unemployed people 15-64", "people", "stock", "lower"),
        I("neet", "NEETs aged 15-29", "people", "stock", "lower"),
        I("poor_people", "Residents below the poverty line", "people", "stock", "lower"),
        # the people who lived here at the start and their children, not those who arrived since:
        # "how many of our unemployed get a job" when a programme also brings newcomers
        I("start_population", "Residents of the start, and their children", "people", "stock", "neutral"),
        I("start_employed", "Employed, among residents of the start", "people", "stock", "higher"),
        I("start_unemployed", "Unemployed 15-64, among residents of the start", "people", "stock", "lower"),
        I("start_poor", "Poor, among residents of the start", "people", "stock", "lower"),
    ),
    **_family(
        "Innovation",
        I("startups_alive", "Startups alive", "startups", "stock", "higher", short="startups"),
        I("startup_jobs", "Jobs in startups", "jobs", "stock", "higher", short="startup jobs"),
        I("startups_incubated", "Startups in incubators", "startups", "stock", "neutral"),
        I("startups_founded", "Startups founded", "startups", "flow", "higher"),
        I("startups_closed", "Startups closed", "startups", "flow", "neutral"),
        I("startup_hires", "Startup hires", "hires", "flow", "higher"),
        I(
            "startup_hires_priority",
            "Startup hires living in priority neighbourhoods (QPV)",
            "hires",
            "flow",
            "higher",
        ),
        I("funding_raised_eur", "Funding raised by startups", "€", "flow", "higher"),
    ),
    **_family(
        "Air and health",
        I("no2_popweighted", "NO2 at home (population-weighted)", "µg/m³", "rate", "lower", short="NO2"),
        I("pm10_popweighted", "PM10 at home (population-weighted)", "µg/m³", "rate", "lower", short="PM10"),
        I("pm25_popweighted", "PM2.5 at home (population-weighted)", "µg/m³", "rate", "lower", short="PM2.5"),
        I("so2_popweighted", "SO2 at home (population-weighted)", "µg/m³", "rate", "lower", short="SO2"),
        I("o3_popweighted", "Ozone at home (population-weighted)", "µg/m³", "rate", "lower", short="O3"),
        I("no2_mean", "NO2, mean over the territory", "µg/m³", "rate", "lower"),
        I("pm10_mean", "PM10, mean over the territory", "µg/m³", "rate", "lower"),
        I("pm25_mean", "PM2.5, mean over the territory", "µg/m³", "rate", "lower"),
        I("people_above_who_no2", "People above the WHO NO2 guideline", "people", "stock", "lower"),
        I("people_above_who_pm10", "People above the WHO PM10 guideline", "people", "stock", "lower"),
        I("people_above_who_pm25", "People above the WHO PM2.5 guideline", "people", "stock", "lower"),
        I("people_above_eu_no2", "People above the EU NO2 limit", "people", "stock", "lower"),
        I("people_above_eu_pm10", "People above the EU PM10 limit", "people", "stock", "lower"),
        I("people_above_eu_pm25", "People above the EU PM2.5 limit", "people", "stock", "lower"),
        I("exposure_gap_no2", "NO2 exposure gap, poorest - richest fifth", "µg/m³", "rate", "lower"),
        I("exposure_gap_pm25", "PM2.5 exposure gap, poorest - richest fifth", "µg/m³", "rate", "lower"),
        I("attributable_deaths_pm25", "Deaths attributable to PM2.5", "deaths", "flow", "lower"),
        I("attributable_deaths_no2", "Deaths attributable to NO2", "deaths", "flow", "lower"),
        I("car_share", "Car share of commuting", "%", "rate", "lower", short="car %"),
        I("awareness", "Air-quality awareness", "share 0-1", "rate", "higher"),
    ),
    **_family(
        "Other",
        I("population", "Population", "people", "stock", "neutral"),
        I("households", "Households", "households", "stock", "neutral"),
        I("rent_index", "Rent index", "index", "rate", "neutral"),
        I("vacancies", "Job vacancies", "jobs", "stock", "neutral"),
        I("hires", "Hires, all employers", "hires", "flow", "neutral"),
        I("in_commuters", "Jobs held by people living outside", "people", "stock", "neutral"),
        I("in_commuter_hires", "Hires of people living outside", "hires", "flow", "neutral"),
        I("out_commuters", "Employed residents working outside", "people", "stock", "neutral"),
        I("median_commute_km", "Median home-work distance by road", "km", "rate", "neutral"),
        I("commuters_leaving_commune", "Commuters working outside their commune", "%", "rate", "neutral"),
        I("employed_people", "Employed residents", "people", "stock", "higher"),
        I("separations", "Job separations", "people", "flow", "neutral"),
        I("training_entries", "Entries into training", "people", "flow", "neutral"),
        I("moves_between_zones", "Moves between zones", "people", "flow", "neutral"),
        I("deaths", "Deaths", "deaths", "flow", "neutral"),
        I("births", "Births", "births", "flow", "neutral"),
        I("arrivals", "Arrivals from outside the metropolis", "people", "flow", "neutral"),
        I("departures", "Departures from the metropolis", "people", "flow", "neutral"),
        I("net_migration", "Net migration (arrivals - departures)", "people", "flow", "neutral"),
    ),
}

# the zone table's columns, in order; units are those of one month's value in one zone


def _in_zones(name: str, **display: object) -> Indicator:
    """A metro indicator as the zone table has it, with its own colour map and decimals."""
    return replace(METRO[name], **display)


ZONE: dict[str, Indicator] = {
    i.name: i
    for i in (
        _in_zones("population", cmap="Greys", digits=0),
        _in_zones("unemployment_rate"),
        _in_zones("youth_unemployment_rate"),
        _in_zones("neet_share"),
        _in_zones("poverty_rate"),
        _in_zones("median_income", cmap="cividis", digits=0),
        _in_zones("startups_alive", cmap="plasma", digits=0),
        _in_zones("startup_jobs", cmap="plasma", digits=0),
        I("no2", "NO2 at home", "µg/m³", "rate", "lower", "Air and health", cmap="magma_r"),
        I("pm10", "PM10 at home", "µg/m³", "rate", "lower", "Air and health", cmap="magma_r"),
        I("pm25", "PM2.5 at home", "µg/m³", "rate", "lower", "Air and health", cmap="magma_r"),
        _in_zones("car_share"),
        _in_zones("rent_index", cmap="cividis", digits=3),
        _in_zones("attributable_deaths_pm25", unit="deaths per month", cmap="magma_r", digits=2),
        _in_zones("out_commuters", cmap="Greys", digits=0),
    )
}
del I

METRO_NAMES: tuple[str, ...] = tuple(METRO)
ZONE_NAMES: tuple[str, ...] = tuple(ZONE)

# the headline table of a comparison, its time-series charts and its maps (zone indicators)
KEY_INDICATORS = (
    "unemployment_rate",
    "youth_unemployment_rate",
    "neet_share",
    "poverty_rate",
    "median_income",
    "gini",
    "north_south_unemployment_gap",
    "qpv_unemployment_gap",
    "qpv_poverty_gap",
    "startups_alive",
    "startup_jobs",
    "startup_hires_priority",
    "no2_popweighted",
    "pm25_popweighted",
    "people_above_who_no2",
    "attributable_deaths_pm25",
    "car_share",
    "displaced",
)
CHART_INDICATORS = (
    "unemployment_rate",
    "youth_unemployment_rate",
    "neet_share",
    "poverty_rate",
    "startup_jobs",
    "no2_popweighted",
    "pm25_popweighted",
    "attributable_deaths_pm25",
)
MAP_INDICATORS = ("unemployment_rate", "neet_share", "no2")

# the columns of a run's summary in the terminal
RUN_SUMMARY = (
    "unemployment_rate",
    "youth_unemployment_rate",
    "neet_share",
    "poverty_rate",
    "median_income",
    "startups_alive",
    "startup_jobs",
    "no2_popweighted",
    "pm25_popweighted",
    "car_share",
)

# panels of metro charts (a run's PNG and the app): title, then the indicators drawn, each with
# its legend (a short label)
METRO_PANELS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Unemployment (%)", (("unemployment_rate", "15-64"), ("youth_unemployment_rate", "15-24"))),
    ("NEET and poverty (%)", (("neet_share", "NEET 15-29"), ("poverty_rate", "poverty"))),
    ("Startups alive", (("startups_alive", "startups"),)),
    ("Startup jobs", (("startup_jobs", "jobs"),)),
    (
        "Exposure at home (µg/m³)",
        (("no2_popweighted", "NO2"), ("pm10_popweighted", "PM10"), ("pm25_popweighted", "PM2.5")),
    ),
    ("Car share of commuting (%)", (("car_share", "car"),)),
)


def titled(name: str) -> str:
    """A metro indicator's label with its unit, `Unemployment rate (%)`; other names as they are."""
    info = METRO.get(name)
    return f"{info.label} ({info.unit})" if info else name
