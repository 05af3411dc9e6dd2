"""Monthly disposable income of households under the French tax-benefit rules of a given month.

Vectorised over households. The components are computed in the order the law chains them:

    ARE -> family allowances (AF) -> housing benefit (AL) -> ASS -> RSA -> prime d'activite (PPA)
        -> income tax

The ASS (allocation de solidarite specifique) is paid to job seekers who exhausted their ARE and
meet its work condition, within a resource ceiling of the couple. RSA and PPA resources include
net earnings, net ARE, the ASS, pensions and the base family allowances; both deduct a housing flat
amount (forfait logement) when the household receives housing benefit or pays no rent.
The housing benefit of an RSA household is then recomputed with its resources neutralised, as the
law does (articles R822-15 and R822-17 of the Code de la construction et de l'habitation).

    disposable income = net earnings + net ARE + ASS + AF + AL + RSA + PPA - income tax

All amounts are euros per month; the income tax is the annual tax of the year divided by 12.
Households are in a steady state: the resources of the reference periods (the last 3 months for
RSA and PPA, the last 12 for AL, the year for income tax) equal 3, 12 or 12 times this month's.
The amounts and their sources are in ``legislation.yaml``; the simplifications are listed in
docs/TAX_BENEFIT.md.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from ampsim.submodels.income.legislation import check_period, parameters_at
from ampsim.submodels.income.unemployment import are_daily, are_monthly, ass_monthly

Params = dict[str, Any]
MAX_CHILDREN_PER_BAND = 12


@dataclass(frozen=True)
class Households:
    """Validated household inputs, one array entry per household (euros per month)."""

    n_adults: np.ndarray
    children_0_2: np.ndarray
    children_3_13: np.ndarray
    children_14_19: np.ndarray
    earnings_1: np.ndarray
    earnings_2: np.ndarray
    unemployed_1: np.ndarray
    unemployed_2: np.ndarray
    reference_daily_wage_1: np.ndarray
    reference_daily_wage_2: np.ndarray
    rent: np.ndarray
    zone: np.ndarray
    pensions: np.ndarray  # net pensions of the household's adults, together
    ass_eligible_1: np.ndarray  # bool: exhausted ARE and meets the ASS work condition
    ass_eligible_2: np.ndarray

    @property
    def n_children(self) -> np.ndarray:
        return self.children_0_2 + self.children_3_13 + self.children_14_19

    @property
    def n_persons(self) -> np.ndarray:
        return self.n_adults + self.n_children

    @property
    def couple(self) -> np.ndarray:
        return self.n_adults == 2

    @property
    def earnings(self) -> np.ndarray:
        return self.earnings_1 + self.earnings_2


@dataclass(frozen=True)
class TaxBenefitResult:
    """Each component per household, in euros per month (income tax: annual tax / 12)."""

    net_earnings: np.ndarray
    are: np.ndarray
    ass: np.ndarray
    family_allowances: np.ndarray
    housing_benefit: np.ndarray
    rsa: np.ndarray
    ppa: np.ndarray
    income_tax: np.ndarray
    disposable_income: np.ndarray
    consumption_units: np.ndarray
    standard_of_living: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray]:
        """The components as a dict of arrays (e.g. for ``pandas.DataFrame``)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


# ----------------------------------------------------------------------------------------------
# Input checks


def _array(name: str, value: Any, size: int | None) -> np.ndarray:
    array = np.atleast_1d(np.asarray(value, dtype=float))
    if array.ndim != 1:
        raise ValueError(f"{name}: expected a scalar or a 1-D array, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: expected finite numbers, got NaN or infinity")
    if size is not None and array.size not in (1, size):
        raise ValueError(f"{name}: expected {size} values (one per household) or one, got {array.size}")
    return array


def _count(name: str, value: Any, size: int | None, low: int, high: int) -> np.ndarray:
    array = _array(name, value, size)
    if np.any(array != np.round(array)) or np.any(array < low) or np.any(array > high):
        raise ValueError(f"{name}: expected whole numbers from {low} to {high}")
    return array.astype(np.int64)


def _amount(name: str, value: Any, size: int | None) -> np.ndarray:
    array = _array(name, value, size)
    if np.any(array < 0):
        raise ValueError(f"{name}: expected amounts >= 0, got a negative value")
    return array


def make_households(
    n_adults: Any,
    children_0_2: Any = 0,
    children_3_13: Any = 0,
    children_14_19: Any = 0,
    earnings_1: Any = 0.0,
    earnings_2: Any = 0.0,
    unemployed_1: Any = False,
    unemployed_2: Any = False,
    reference_daily_wage_1: Any = 0.0,
    reference_daily_wage_2: Any = 0.0,
    rent: Any = 0.0,
    zone: Any = 2,
    pensions: Any = 0.0,
    ass_eligible_1: Any = False,
    ass_eligible_2: Any = False,
) -> Households:
    """Check and broadcast household inputs; bad input raises ValueError naming the argument.

    Earnings are monthly net wages per adult; an unemployed adult receives ARE computed from
    their gross daily reference wage (SJR) and must have no earnings. ``rent`` is the monthly
    rent (0 for owners and people housed free); ``zone`` is the housing-benefit zone (1, 2 or 3);
    ``pensions`` the adults' net monthly pensions, together. An adult ``ass_eligible`` (a job
    seeker who exhausted ARE and meets the ASS work condition) receives the ASS within its resource
    ceiling, and must have no earnings and no ARE.
    """
    raw = {
        "n_adults": n_adults,
        "children_0_2": children_0_2,
        "children_3_13": children_3_13,
        "children_14_19": children_14_19,
        "earnings_1": earnings_1,
        "earnings_2": earnings_2,
        "unemployed_1": unemployed_1,
        "unemployed_2": unemployed_2,
        "reference_daily_wage_1": reference_daily_wage_1,
        "reference_daily_wage_2": reference_daily_wage_2,
        "rent": rent,
        "zone": zone,
        "pensions": pensions,
        "ass_eligible_1": ass_eligible_1,
        "ass_eligible_2": ass_eligible_2,
    }
    size = max(np.atleast_1d(np.asarray(v)).size for v in raw.values())
    out: dict[str, np.ndarray] = {"n_adults": _count("n_adults", n_adults, size, 1, 2)}
    for band in ("children_0_2", "children_3_13", "children_14_19"):
        out[band] = _count(band, raw[band], size, 0, MAX_CHILDREN_PER_BAND)
    for key in (
        "earnings_1",
        "earnings_2",
        "reference_daily_wage_1",
        "reference_daily_wage_2",
        "rent",
        "pensions",
    ):
        out[key] = _amount(key, raw[key], size)
    for key in ("unemployed_1", "unemployed_2", "ass_eligible_1", "ass_eligible_2"):
        out[key] = _count(key, np.asarray(raw[key], dtype=float), size, 0, 1).astype(bool)
    out["zone"] = _count("zone", zone, size, 1, 3)
    out = {k: np.broadcast_to(v, (size,)).copy() for k, v in out.items()}
    single = out["n_adults"] == 1
    if np.any(single & ((out["earnings_2"] > 0) | out["unemployed_2"] | out["ass_eligible_2"])):
        raise ValueError(
            "earnings_2: expected 0, and unemployed_2 and ass_eligible_2 False, for single-adult households"
        )
    for i in (1, 2):
        if np.any(out[f"unemployed_{i}"] & (out[f"earnings_{i}"] > 0)):
            raise ValueError(
                f"earnings_{i}: expected 0 for an unemployed adult (ARE and wages are not combined)"
            )
        if np.any(out[f"ass_eligible_{i}"] & ((out[f"earnings_{i}"] > 0) | out[f"unemployed_{i}"])):
            raise ValueError(
                f"ass_eligible_{i}: expected False for an adult with earnings or ARE (the ASS follows "
                "exhausted ARE, and ASS and wages are not combined)"
            )
    return Households(**out)


# ----------------------------------------------------------------------------------------------
# Components, in the order of the law


def consumption_units(households: Households) -> np.ndarray:
    """INSEE modified OECD scale: 1 for the first adult, 0.5 per other person 14+, 0.3 per child under 14."""
    h = households
    return 1.0 + 0.5 * (h.n_adults - 1 + h.children_14_19) + 0.3 * (h.children_0_2 + h.children_3_13)


def are_daily_gross(reference_daily_wage: Any, year: int, month: int = 1) -> np.ndarray:
    """Gross daily ARE for a daily reference wage: max(57 %, 40.4 % + fixed part), >= minimum, <= 75 %."""
    check_period(year, month)
    return are_daily(_amount("reference_daily_wage", reference_daily_wage, None), parameters_at(year, month))


def maximum_amount(benefit: str, households: Households, year: int, month: int = 1) -> np.ndarray:
    """RSA or PPA maximum amount (montant forfaitaire) of the households, before any deduction."""
    if benefit not in ("rsa", "ppa"):
        raise ValueError(f"benefit: expected 'rsa' or 'ppa', got {benefit!r}")
    check_period(year, month)
    return _flat_amount(households, parameters_at(year, month), benefit)


def taxable_wage(net_earnings: np.ndarray, p: Params) -> np.ndarray:
    """Monthly taxable wage: net wage plus non-deductible CSG and CRDS (fixed net/gross ratio)."""
    gross = net_earnings / p["wage.net_to_gross"]
    return net_earnings + p["wage.non_deductible_csg_crds_rate"] * p["csg.base_share"] * gross


def family_allowances(
    h: Households, annual_taxable_income: np.ndarray, p: Params
) -> tuple[np.ndarray, np.ndarray]:
    """Family allowances net of CRDS, and their base part (without the age supplement).

    From 2 children: 32 % of the BMAF, plus 41 % per child from the third; plus 16 % per child of
    14 or more (not the eldest of two). Halved, then quartered, above the two income ceilings.
    """
    n = h.n_children
    base = p["af.bmaf"] * (
        p["af.rate_two_children"] * (n >= 2) + p["af.rate_further_child"] * np.maximum(n - 2, 0)
    )
    older = h.children_14_19 if p["af.age_supplement_age"] <= 14 else np.zeros_like(h.children_14_19)
    entitled_older = np.where(n == 2, np.maximum(older - 1, 0), older) * (n >= 2)
    supplement = p["af.bmaf"] * p["af.age_supplement_rate"] * entitled_older
    ceiling_1 = p["af.ceiling_1_base"] + p["af.ceiling_per_child"] * n
    ceiling_2 = p["af.ceiling_2_base"] + p["af.ceiling_per_child"] * n
    factor = np.where(
        annual_taxable_income > ceiling_2,
        p["af.factor_above_ceiling_2"],
        np.where(annual_taxable_income > ceiling_1, p["af.factor_above_ceiling_1"], 1.0),
    )
    net = 1.0 - p["crds.rate"]
    return net * factor * (base + supplement), net * factor * base


def _by_dependants(n: np.ndarray, couple: np.ndarray, p: Params, prefix: str, last: int) -> np.ndarray:
    """Look up a housing parameter that depends on couple status and the number of dependants."""
    values = [p[f"{prefix}_{k}"] for k in range(1, last + 1)]
    capped = np.clip(n, 1, last)
    by_count = np.asarray(values)[capped - 1] + p[f"{prefix}_per_further"] * np.maximum(n - last, 0)
    alone = np.where(couple, p[f"{prefix}_couple"], p[f"{prefix}_single"])
    return np.where(n == 0, alone, by_count)


def _rent_ceiling(h: Households, p: Params, zone: np.ndarray) -> np.ndarray:
    n = h.n_children
    out = np.zeros(n.shape)
    for z in (1, 2, 3):
        alone = np.where(
            h.couple,
            p[f"housing.rent_ceiling_couple.zone_{z}"],
            p[f"housing.rent_ceiling_single.zone_{z}"],
        )
        with_children = p[f"housing.rent_ceiling_one_child.zone_{z}"] + p[
            f"housing.rent_ceiling_per_child.zone_{z}"
        ] * np.maximum(n - 1, 0)
        out = np.where(zone == z, np.where(n == 0, alone, with_children), out)
    return out


def housing_resources(
    h: Households,
    taxable_wages: tuple[np.ndarray, np.ndarray],
    taxable_are: tuple[np.ndarray, np.ndarray],
    p: Params,
) -> np.ndarray:
    """Annual resources for housing benefit: wages, ARE and pensions less their 10 % allowances,
    rounded up to 100."""
    total = np.zeros(h.n_adults.shape)
    for wage, are in zip(taxable_wages, taxable_are, strict=True):
        income = 12.0 * (wage + are)
        allowance = np.minimum(
            np.clip(
                p["tax.wage_allowance_rate"] * income,
                p["tax.wage_allowance_min"],
                p["tax.wage_allowance_max"],
            ),
            income,
        )
        total += income - allowance
    total += taxable_pensions(h, p)
    threshold = 12.0 * p["af.bmaf"]
    both_earn = h.couple & (12.0 * taxable_wages[0] >= threshold) & (12.0 * taxable_wages[1] >= threshold)
    total = np.maximum(total - p["housing.double_earner_allowance"] * both_earn, 0.0)
    return np.ceil(np.round(total, 2) / 100.0) * 100.0


def housing_benefit(h: Households, resources: np.ndarray, p: Params) -> np.ndarray:
    """Housing benefit of tenants (AL, rental sector), net of CRDS, rounded down to the euro.

    AL = L + C - Pp, with L the rent up to its ceiling, C the flat charges and the personal
    participation Pp = P0 + (TF + TL) x (R - R0); not paid under 10 EUR, tapered for very high rents.
    """
    n = h.n_children
    ceiling = _rent_ceiling(h, p, h.zone)
    rent = np.minimum(h.rent, ceiling)
    charges = p["housing.charges_flat"] + p["housing.charges_per_child"] * n
    p0 = np.maximum(
        p["housing.min_participation_rate"] * (rent + charges), p["housing.min_participation_flat"]
    )
    reference_rent = _rent_ceiling(h, p, np.full_like(h.zone, 2))
    ratio = np.round(100.0 * rent / reference_rent, 2) / 100.0
    t1, t2 = p["housing.tl_threshold_1"], p["housing.tl_threshold_2"]
    tl = np.where(
        ratio >= t2,
        p["housing.tl_rate_3"] * (ratio - t2) + p["housing.tl_rate_2"] * (t2 - t1),
        np.maximum(0.0, p["housing.tl_rate_2"] * (ratio - t1)),
    )
    tf = _by_dependants(n, h.couple, p, "housing.tf", 6)
    r0 = _by_dependants(n, h.couple, p, "housing.r0", 6)
    participation = p0 + (tf + np.round(tl, 5)) * np.maximum(resources - r0, 0.0)
    amount = np.maximum(rent + charges - participation, 0.0)
    amount = np.where(amount >= p["housing.minimum_paid"], amount, 0.0)
    taper = np.ones_like(amount)
    for z in (1, 2, 3):
        start = ceiling * p[f"housing.taper_start.zone_{z}"]
        end = ceiling * p[f"housing.taper_end.zone_{z}"]
        zone_taper = np.clip(1.0 - (h.rent - start) / (end - start), 0.0, 1.0)
        taper = np.where(h.zone == z, zone_taper, taper)
    amount = np.maximum(np.round(amount * taper, 2) - p["housing.flat_reduction"], 0.0)
    amount = np.floor(amount * (1.0 - p["crds.rate"]))
    return np.where(h.rent > 0, amount, 0.0)


def _flat_amount(h: Households, p: Params, prefix: str) -> np.ndarray:
    """RSA or PPA maximum amount: base x (1 + 50 % + 30 % + 30 % + 40 %/further child) or raised."""
    extra = h.n_persons - 1
    rate = (
        1.0
        + p[f"{prefix}.supplement_second_person"] * (extra >= 1)
        + p[f"{prefix}.supplement_third_fourth_person"] * np.clip(extra - 1, 0, 2)
        + p[f"{prefix}.supplement_further_child"] * np.maximum(extra - 3, 0)
    )
    normal = p[f"{prefix}.base"] * rate
    raised = p[f"{prefix}.base"] * (
        p[f"{prefix}.isolated_parent_rate"] + p[f"{prefix}.isolated_parent_rate_per_child"] * h.n_children
    )
    isolated_parent = (h.n_adults == 1) & (h.children_0_2 > 0)
    return np.where(isolated_parent, np.maximum(raised, normal), normal)


def _housing_flat_deduction(h: Households, housed: np.ndarray, p: Params, prefix: str) -> np.ndarray:
    """Forfait logement: 12 % of the 1-person amount, 16 % of the 2-person, 16.5 % of the 3-person amount."""
    base = p[f"{prefix}.base"]
    one = p[f"{prefix}.housing_flat_rate_1"] * base
    two = p[f"{prefix}.housing_flat_rate_2"] * base * (1.0 + p[f"{prefix}.supplement_second_person"])
    three = (
        p[f"{prefix}.housing_flat_rate_3"]
        * base
        * (1.0 + p[f"{prefix}.supplement_second_person"] + p[f"{prefix}.supplement_third_fourth_person"])
    )
    amount = np.where(h.n_persons == 1, one, np.where(h.n_persons == 2, two, three))
    return np.where(housed, amount, 0.0)


def rsa(h: Households, other_resources: np.ndarray, housed: np.ndarray, p: Params) -> np.ndarray:
    """RSA = maximum amount - forfait logement - resources (earnings, ARE, ASS, pensions, base AF); not
    paid under 6 EUR."""
    amount = (
        _flat_amount(h, p, "rsa")
        - _housing_flat_deduction(h, housed, p, "rsa")
        - h.earnings
        - other_resources
    )
    return np.where(amount >= p["rsa.minimum_paid"], amount, 0.0)


def ppa_bonus(earnings: np.ndarray, p: Params) -> np.ndarray:
    """Per-worker bonus: 0 below 59 x gross hourly SMIC of monthly earnings, full at 120 x."""
    start = p["ppa.bonus_start_hours"] * p["smic.gross_hourly"]
    full = p["ppa.bonus_full_hours"] * p["smic.gross_hourly"]
    maximum = np.round(p["ppa.bonus_max_rate"] * p["ppa.base"], 2)
    return np.clip(maximum * (earnings - start) / (full - start), 0.0, maximum)


def ppa(h: Households, other_resources: np.ndarray, housed: np.ndarray, p: Params) -> np.ndarray:
    """PPA = amount + 59.85 % of earnings + bonuses - max(amount, resources + forfait logement), net of CRDS.

    Resources are earnings, ARE, ASS, pensions and base AF (the RSA is not a resource of the PPA); nil without
    earnings; not paid under 15 EUR.
    """
    flat = _flat_amount(h, p, "ppa")
    bonus = ppa_bonus(h.earnings_1, p) + ppa_bonus(h.earnings_2, p)
    resources = h.earnings + other_resources + _housing_flat_deduction(h, housed, p, "ppa")
    amount = flat + p["ppa.earnings_share"] * h.earnings + bonus - np.maximum(resources, flat)
    amount = np.where((h.earnings > 0) & (amount >= p["ppa.minimum_paid"]), amount, 0.0)
    return amount * (1.0 - p["crds.rate"])


def tax_shares(h: Households) -> np.ndarray:
    """Tax shares: 1 per adult, 0.5 per child for two, 1 from the third, +0.5 isolated parent."""
    n = h.n_children
    shares = h.n_adults + 0.5 * np.minimum(n, 2) + 1.0 * np.maximum(n - 2, 0)
    return shares + 0.5 * ((h.n_adults == 1) & (n > 0))


def _scale_tax(income_per_share: np.ndarray, scale: dict[str, list[float]]) -> np.ndarray:
    thresholds = np.asarray(scale["thresholds"])
    rates = np.asarray(scale["rates"])
    upper = np.append(thresholds[1:], np.inf)
    slices = np.clip(income_per_share[:, None] - thresholds[None, :], 0.0, upper - thresholds)
    return slices @ rates


def income_tax(
    h: Households,
    taxable_wages: tuple[np.ndarray, np.ndarray],
    taxable_are: tuple[np.ndarray, np.ndarray],
    p: Params,
) -> tuple[np.ndarray, np.ndarray]:
    """Annual income tax of the household (one tax unit) and its net taxable income.

    Wages and ARE less the 10 % allowance (per person, within its minimum and maximum); the
    scale applied per share, with the advantage of the children's shares capped; then the decote,
    and no tax collected under 61 EUR. Benefits (AF, AL, RSA, PPA) are not taxable.
    """
    taxable = np.zeros(h.n_adults.shape)
    for wage, are in zip(taxable_wages, taxable_are, strict=True):
        income = 12.0 * (wage + are)
        allowance = np.minimum(
            np.clip(
                p["tax.wage_allowance_rate"] * income,
                p["tax.wage_allowance_min"],
                p["tax.wage_allowance_max"],
            ),
            income,
        )
        taxable += income - allowance
    taxable += taxable_pensions(h, p)
    return tax_on_taxable_income(h, taxable, p), taxable


def taxable_pensions(h: Households, p: Params) -> np.ndarray:
    """Annual net taxable pensions: the net pensions (their non-deductible CSG and CRDS, about 2 %
    of the gross, are left out: an assumption) less the 10 % allowance, at least its minimum per
    pensioner and at most its maximum per household."""
    income = 12.0 * h.pensions
    pensioners = np.where(h.pensions > 0, np.where(h.couple, 2.0, 1.0), 0.0)
    allowance = np.clip(
        p["tax.pension_allowance_rate"] * income,
        p["tax.pension_allowance_min"] * pensioners,
        p["tax.pension_allowance_max"],
    )
    return income - np.minimum(allowance, income)


def tax_on_taxable_income(h: Households, taxable: np.ndarray, p: Params) -> np.ndarray:
    """Annual tax on a net taxable income: scale per share, capped quotient familial, decote, 61 EUR floor."""
    shares = tax_shares(h)
    scale = p["tax.scale"]
    tax = _scale_tax(taxable / shares, scale) * shares
    adult_shares = h.n_adults.astype(float)
    tax_without_children = _scale_tax(taxable / adult_shares, scale) * adult_shares
    extra_half_shares = 2.0 * (shares - adult_shares)
    isolated_parent = (h.n_adults == 1) & (h.n_children > 0)
    cap = np.where(
        isolated_parent,
        p["tax.qf_cap_isolated_parent_first_child"]
        + p["tax.qf_cap_half_share"] * np.maximum(extra_half_shares - 2, 0),
        p["tax.qf_cap_half_share"] * extra_half_shares,
    )
    tax = np.maximum(tax, tax_without_children - cap)
    threshold = np.where(h.couple, p["tax.decote_threshold_couple"], p["tax.decote_threshold_single"])
    decote = np.where(
        tax < threshold / p["tax.decote_rate"],
        np.maximum(threshold - p["tax.decote_rate"] * tax, 0.0),
        0.0,
    )
    tax = np.maximum(tax - decote, 0.0)
    return np.where(tax >= p["tax.minimum_collected"], np.round(tax), 0.0)


# ----------------------------------------------------------------------------------------------
# The calculator


def compute(households: Households, year: int, month: int = 1) -> TaxBenefitResult:
    """Every component of disposable income for the households, under the rules of ``month``/``year``."""
    check_period(year, month)
    p = parameters_at(int(year), int(month))
    h = households
    are_1, are_taxable_1 = are_monthly(h.reference_daily_wage_1, h.unemployed_1, p)
    are_2, are_taxable_2 = are_monthly(h.reference_daily_wage_2, h.unemployed_2, p)
    are = are_1 + are_2
    wages = (taxable_wage(h.earnings_1, p), taxable_wage(h.earnings_2, p))
    are_taxable = (are_taxable_1, are_taxable_2)
    _, annual_taxable = income_tax(h, wages, are_taxable, p)
    af, af_base = family_allowances(h, annual_taxable, p)
    resources = housing_resources(h, wages, are_taxable, p)
    al = housing_benefit(h, resources, p)
    housed = (al > 0) | (h.rent <= 0)
    ass = ass_monthly(
        h.couple, (h.ass_eligible_1, h.ass_eligible_2), wages[0] + wages[1] + are + h.pensions, p
    )
    other_resources = are + ass + af_base + h.pensions
    rsa_amount = rsa(h, other_resources, housed, p)
    al = np.where(rsa_amount > 0, housing_benefit(h, np.zeros_like(resources), p), al)
    housed = (al > 0) | (h.rent <= 0)
    ppa_amount = ppa(h, other_resources, housed, p)
    tax, _ = income_tax(h, wages, are_taxable, p)
    monthly_tax = tax / 12.0
    disposable = h.earnings + h.pensions + are + ass + af + al + rsa_amount + ppa_amount - monthly_tax
    units = consumption_units(h)
    return TaxBenefitResult(
        net_earnings=h.earnings.copy(),
        are=are,
        ass=ass,
        family_allowances=af,
        housing_benefit=al,
        rsa=rsa_amount,
        ppa=ppa_amount,
        income_tax=monthly_tax,
        disposable_income=disposable,
        consumption_units=units,
        standard_of_living=disposable / units,
    )


def calculate(year: int, month: int = 1, **household_inputs: Any) -> TaxBenefitResult:
    """Shortcut: ``compute(make_households(**household_inputs), year, month)``."""
    return compute(make_households(**household_inputs), year, month)


def poverty_line(year: int) -> float:
    """Monthly poverty line per consumption unit (60 % of the median): INSEE figures, then indexed."""
    if not isinstance(year, int | np.integer) or not 2010 <= year <= 2100:
        raise ValueError(f"year: expected an integer from 2010 to 2100, got {year!r}")
    from ampsim.submodels.income.legislation import load_legislation

    legislation = load_legislation()
    reference = legislation.parameters["poverty_line.reference"]
    growth = legislation.parameters["poverty_line.growth"].values[-1]
    known = [d.year for d in reference.dates]
    if year in known:
        return float(reference.values[known.index(year)])
    last_year = max(y for y in known if y <= year) if year >= known[0] else known[0]
    last_value = reference.values[known.index(last_year)]
    if year > known[-1]:
        return float(last_value * (1.0 + growth) ** (year - last_year))
    next_year = min(y for y in known if y > year)  # between two published years: geometric interpolation
    next_value = reference.values[known.index(next_year)]
    weight = (year - last_year) / (next_year - last_year)
    return float(last_value * (next_value / last_value) ** weight)
