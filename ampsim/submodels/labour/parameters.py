"""The labour market's parameters: separations, search, matching and commuting."""

from __future__ import annotations

from ampsim.core.parameters import ASSUMPTION, ParameterGroup, Relative, parameter


class LabourParameters(ParameterGroup):
    """Separations, matching and commuting in the labour market."""

    matching_elasticity: float = parameter(
        0.6,
        unit="1",
        gt=0,
        lt=1,
        source="elasticity of hires to unemployment, 0.46-0.72, central 0.54-0.63 (Petrongolo & "
        "Pissarides 2001; Brügemann 2008 reconciling Shimer 2005 and Mortensen & Nagypál 2007)",
        description="alpha in M = A U^alpha V^(1-alpha)",
    )
    matching_efficiency: float = parameter(
        0.13,
        le=10,
        unit="hires per month per unit U^alpha V^(1-alpha)",
        gt=0,
        source="starting value; calibrated during the spin-up to metro unemployment 12.1 % "
        "(INSEE census 2022)",
        description="A in the matching function",
    )
    separation_rate: float = parameter(
        0.0035,
        unit="1/month",
        ge=0,
        le=1,
        source="E to U 3.5 %/year, continental Europe, EU-LFS 1998-2008 (IZA J. Eur. Labor Stud. "
        "3:17, table 2), 0.29 %/month, raised to cover separations from short contracts; "
        "modelling assumption",
        description="monthly probability that an employed 25-54 year-old with the baccalauréat "
        "becomes unemployed",
    )
    exit_to_inactivity_rate: float = parameter(
        0.001,
        unit="1/month",
        ge=0,
        le=1,
        source="E to NA 3.6 %/year (IZA table 2) less retirements, modelled separately; modelling assumption",
        description="monthly probability that an employed person leaves the labour force",
    )
    separation_risk_by_age: tuple[Relative, Relative, Relative] = parameter(
        (2.5, 1.0, 0.9),
        unit="relative risk",
        source=ASSUMPTION,
        description="separation risk at 15-24, 25-54 and 55-64",
    )
    separation_risk_by_education: tuple[Relative, Relative, Relative, Relative] = parameter(
        (1.6, 1.15, 1.0, 0.65),
        unit="relative risk",
        source="same gradient as unemployment by diploma (INSEE 2023); modelling assumption",
        description="separation risk by diploma level 0-3",
    )
    search_efficiency_by_age: tuple[Relative, Relative, Relative] = parameter(
        (2.0, 1.0, 0.7),
        unit="relative effort",
        source="young job seekers have short spells: with 1,900 school leavers a month entering the "
        "labour market, youth unemployment (23.8 %, census 2022) is stationary only if they find "
        "jobs about twice as fast; modelling assumption",
        description="job-search efficiency at 15-24, 25-54 and 55-64",
    )
    search_efficiency_by_education: tuple[Relative, Relative, Relative, Relative] = parameter(
        (0.7, 0.9, 1.0, 1.3),
        unit="relative effort",
        source=ASSUMPTION,
        description="job-search efficiency by diploma level 0-3",
    )
    inactive_search_efficiency: float = parameter(
        0.1,
        unit="relative effort",
        ge=0,
        le=1,
        source="NA to E 8.8 %/year against U to E 32.2 %/year (IZA table 2), reduced because "
        "most inactive people do not want a job; modelling assumption",
        description="search efficiency of inactive 15-64 year-olds relative to job seekers",
    )
    trained_search_boost: float = parameter(
        1.3,
        unit="multiplier",
        ge=1,
        le=5,
        source="chosen so that training raises employment by several points after 16 months, "
        "the order of the Garantie jeunes effect (+7.1 points, DARES evaluation); modelling assumption",
        description="search efficiency of a job seeker who completed a course, until the next job",
    )
    access_search_elasticity: float = parameter(
        0.5,
        unit="relative search efficiency per logit unit of commute value",
        ge=0,
        le=5,
        source="derived from Tyndall (2017, Urban Studies 54(2)): the R-train closure raised nearby "
        "residents' unemployment by 1.4 points (about 8 %, so a 19 % lower job-finding rate), taken as "
        "a 1-logit loss for transit users with half of them driving (a logsum change of -0.38): "
        "0.19 / 0.38; assumption, range 0.25-1 (spatial mismatch: Gobillon, Selod & Zenou 2007 give "
        "no size)",
        description="a seeker's search efficiency rises by exp(elasticity x the gain in commute value "
        "to each work zone), averaged over the zones they search in: transit and car restrictions "
        "change job access",
    )
    long_term_unemployed_efficiency: float = parameter(
        0.7,
        unit="multiplier",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="search efficiency after 12 months of unemployment (duration dependence)",
    )
    commuting_decay_km: float = parameter(
        5.0,
        le=100,
        unit="km",
        gt=0,
        source="calibrated on road-like distances to two regional figures one length cannot both "
        "meet: the median home-work distance (6.9 km in PACA in 2017, INSEE; the model 8.0 km) and "
        "the commuters working outside their commune (47 % in PACA in 2013, INSEE; the model 45 %); "
        "4 km gives 7.1 km and 41 %, 6 km 8.9 km and 48 %",
        description="length lambda of the commuting weight exp(-d/lambda), d the road-like distance",
    )
    job_attraction_exponent: float = parameter(
        1.15,
        unit="1",
        ge=0,
        le=3,
        source="jobs concentrate in large places more than residents; modelling assumption, "
        "no jobs-by-commune data in the project",
        description="initial incumbent jobs of a zone in proportion to population^exponent",
    )
    vacancy_rate: float = parameter(
        0.025,
        unit="1",
        ge=0.001,
        le=0.5,
        source="job vacancy rates of 2-3 % in France; modelling assumption",
        description="share of incumbent jobs vacant at the start",
    )
    residential_job_share: float = parameter(
        0.67,
        unit="share of incumbent jobs",
        ge=0,
        le=1,
        source="the 'présentielle' sphere, which serves the people present, holds more than two "
        "thirds of the jobs of the Grand Sud-Est (Insee, Sud-Est no 131, September 2010); that its "
        "jobs follow residents in proportion is a modelling assumption (the same study finds the "
        "density of services not proportional to the resident population)",
        description="share of the metro's incumbent jobs per resident that a zone gains or loses with "
        "each resident it gains or loses after the start (local services follow the people they serve)",
    )
    startup_preference_by_education: tuple[Relative, Relative, Relative, Relative] = parameter(
        (0.3, 0.6, 1.0, 2.0),
        unit="relative weight",
        source=ASSUMPTION,
        description="weight of a hire's diploma level 0-3 when a startup competes for them",
    )
    in_commuter_share: float = parameter(
        0.105,
        unit="1",
        ge=0,
        le=0.5,
        source="derived from 105 jobs per 100 employed residents (AGAM, 2012) and 6 % of employed "
        "residents working outside (modelling assumption), see ampsim/world/data/boundary.csv",
        description="share of the metropolis's jobs held by people who live outside it (at the "
        "start, and kept by the calibration of outside search effort)",
    )
    out_commuting_share: float = parameter(
        0.06,
        unit="share of employed residents",
        ge=0,
        le=0.5,
        source="well below the PACA average of 1 in 5 working outside their intercommunality "
        "(INSEE 2016), AMP being the region's largest employment area; modelling assumption, as "
        "ampsim/world/boundary.py (docs/OPEN_METROPOLIS.md)",
        description="employed residents whose job is outside the metropolis (at the start, and "
        "kept by the calibration of their outside job finding)",
    )
    out_commuting_decay_km: float = parameter(
        15.0,
        unit="km",
        gt=0,
        le=200,
        source="out-commuters live near the boundary; trips out of the metropolis are longer than "
        "the 7 km of commuting_decay_km; modelling assumption",
        description="length L of the weight exp(-b/L) of working outside, b the distance from home "
        "to the land beyond the metropolis",
    )
    calibration_horizon_months: float = parameter(
        6.0,
        le=120,
        unit="months",
        gt=0,
        source=ASSUMPTION,
        description="during the spin-up, hires are steered to close the gap to the census "
        "unemployment of each zone within about this many months",
    )
