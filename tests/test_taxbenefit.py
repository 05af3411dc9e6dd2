"""Tax-benefit calculator: published household examples, properties, grid lookup and bad input."""

import numpy as np
import pytest

from ampsim.submodels.income import (
    calculate,
    disposable_income_lookup,
    grid_table,
    make_households,
    parameters_at,
    poverty_line,
)
from ampsim.submodels.income.taxbenefit import (
    are_daily_gross,
    maximum_amount,
    tax_on_taxable_income,
)

LEFEBVRE_RSA = "https://open.lefebvre-dalloz.fr/baremes-taux/droit-social/minima-sociaux-revenu-solidarite-active_social-minima-rsa"


def close(computed: float, expected: float, tolerance: float = 0.02) -> bool:
    return abs(computed - expected) <= tolerance * abs(expected)


# ----------------------------------------------------------------------------------------------
# Published household examples (within 2 %)


def test_single_person_without_income_receives_rsa_less_the_housing_flat_amount():
    # RSA for a single person from 1 April 2025: 646.52 EUR (Lefebvre Dalloz, LEFEBVRE_RSA);
    # an owner or a tenant with housing benefit has the 12 % forfait logement deducted
    # (article R262-9 of the Code de l'action sociale et des familles): 646.52 x 0.88 = 568.94.
    households = make_households(n_adults=[1, 1], rent=[0.0, 400.0])
    assert close(maximum_amount("rsa", households, 2025, 6)[0], 646.52)
    result = calculate(2025, 6, n_adults=[1, 1], rent=[0.0, 400.0])
    assert close(result.rsa[0], 568.94) and close(result.rsa[1], 568.94)
    assert result.housing_benefit[1] > 0 and result.income_tax[0] == 0


def test_low_paid_worker_receives_the_published_prime_d_activite():
    # DREES example, April 2025, as reported by
    # https://droits-allocations.org/prime-dactivite-2025-calcul-exemples-et-eligibilite :
    # single person, no child, 800 EUR net wage (a part-time SMIC job), forfait logement 75.99 EUR,
    # bonus 25.19 EUR, prime d'activite 261.22 EUR (before the 0.5 % CRDS).
    result = calculate(2025, 6, n_adults=1, earnings_1=800.0, rent=0.0)
    assert close(result.ppa[0], 261.22)
    assert result.rsa[0] == 0


def test_full_time_smic_worker_receives_prime_d_activite_and_no_income_tax():
    # Single worker at the net SMIC of 1,426.30 EUR (figures-households.md section 3): the
    # prime d'activite is positive and the income tax nil, as on service-public.fr F2882.
    result = calculate(2025, 6, n_adults=1, earnings_1=1426.30, rent=0.0)
    assert 100.0 < result.ppa[0] < 300.0
    assert result.income_tax[0] == 0


def test_couple_with_two_children_rsa_amount_and_family_allowances():
    # Lefebvre Dalloz (LEFEBVRE_RSA), from 1 April 2025: RSA for a couple with 2 children 1,357.70 EUR.
    # Family allowances for 2 children: 32 % of the BMAF of 474.37 EUR = 151.80 EUR before CRDS
    # (figures-households.md section 4, openfisca-france bmaf.yaml and af_cm/taux/enf2.yaml).
    households = make_households(n_adults=2, children_3_13=2)
    assert close(maximum_amount("rsa", households, 2025, 6)[0], 1357.70)
    result = calculate(2025, 6, n_adults=2, children_3_13=2)
    assert close(result.family_allowances[0], 151.80)
    # RSA = 1,357.70 - forfait logement (16.5 % of the 3-person amount) - allowances
    assert close(result.rsa[0], 1357.70 - 0.165 * 1.8 * 646.52 - 151.04)


def test_isolated_parent_raised_rsa():
    # Lefebvre Dalloz (LEFEBVRE_RSA), from 1 April 2025: raised RSA of an isolated parent with one
    # child 1,106.95 EUR, with two children 1,383.69 EUR.
    one = make_households(n_adults=1, children_0_2=1)
    two = make_households(n_adults=1, children_0_2=1, children_3_13=1)
    assert close(maximum_amount("rsa", one, 2025, 6)[0], 1106.95)
    assert close(maximum_amount("rsa", two, 2025, 6)[0], 1383.69)
    # without a child under 3 the ordinary amount applies: 969.78 EUR for one child
    older = make_households(n_adults=1, children_3_13=1)
    assert close(maximum_amount("rsa", older, 2025, 6)[0], 969.78)


def test_unemployed_person_on_are():
    # Unedic, "Comment est calculee mon allocation chomage ?", https://unedic.org/indemnisation/
    # vos-questions-sur-indemnisation-assurance-chomage/comment-est-calculee-mon-allocation-chomage :
    # daily ARE = max(40.4 % SJR + fixed part, 57 % SJR), at least the minimum (32.13 EUR from
    # July 2025), at most 75 % of the SJR; fixed part 13.18 EUR from July 2025 (figures-households.md §4).
    assert close(are_daily_gross(45.0, 2025, 8)[0], 32.13)  # the minimum applies
    assert close(are_daily_gross(60.0, 2025, 8)[0], 0.404 * 60 + 13.18)
    assert close(are_daily_gross(150.0, 2025, 8)[0], 0.57 * 150)
    assert close(are_daily_gross(30.0, 2025, 8)[0], 0.75 * 30)  # the 75 % ceiling prevails
    result = calculate(2025, 8, n_adults=1, unemployed_1=True, reference_daily_wage_1=60.0)
    gross = (0.404 * 60 + 13.18) * 30  # paid on 30 days a month from April 2025
    assert gross * 0.85 < result.are[0] < gross  # less the 3 % pension contribution, CSG and CRDS


def test_job_seeker_who_exhausted_are_receives_the_legal_ass():
    # ASS from 1 April 2025: 19.33 EUR a day, 579.90 EUR for 30 days (Décret n° 2025-302 du
    # 31 mars 2025, as reported by beelighted-avocats.fr); resource ceiling 70 daily amounts alone
    # (1,353.10 EUR) and 110 in a couple (2,126.30 EUR), article R5423-1 of the Code du travail.
    alone = calculate(2025, 6, n_adults=1, ass_eligible_1=True, rent=0.0)
    assert close(alone.ass[0], 579.90)
    assert alone.income_tax[0] == 0  # the ASS is not taxable
    # the ASS is a resource of the RSA: 646.52 x 0.88 (forfait logement) - 579.90 < 6 EUR, no RSA
    assert alone.rsa[0] == 0 and close(alone.disposable_income[0], 579.90)
    # in a couple the ASS tops the couple's resources up to the ceiling: 2,126.30 - 1,700 = 426.30
    couple = calculate(2025, 6, n_adults=2, ass_eligible_1=True, pensions=1700.0, rent=0.0)
    assert close(couple.ass[0], 2126.30 - 1700.0)
    above = calculate(2025, 6, n_adults=2, ass_eligible_1=True, pensions=2200.0, rent=0.0)
    assert above.ass[0] == 0
    # the ASS counts in the prime d'activite's resources: a partner's PPA falls when ASS is paid
    without = calculate(2025, 6, n_adults=2, earnings_2=900.0, rent=0.0)
    with_ass = calculate(2025, 6, n_adults=2, earnings_2=900.0, ass_eligible_1=True, rent=0.0)
    assert with_ass.ass[0] > 0 and with_ass.ppa[0] < without.ppa[0]
    assert with_ass.disposable_income[0] > without.disposable_income[0]


def test_income_tax_matches_service_public_example():
    # service-public.fr F1419 (scale for 2025 incomes): a single person with 30,000 EUR of net
    # taxable income pays 1,977.69 + 126.30 = 2,104 EUR (no decote at this level).
    p = parameters_at(2025, 6)
    single = make_households(n_adults=1)
    assert close(tax_on_taxable_income(single, np.array([30000.0]), p)[0], 2104.0)
    couple = make_households(n_adults=2)
    assert close(tax_on_taxable_income(couple, np.array([60000.0]), p)[0], 2 * 2104.0)


# ----------------------------------------------------------------------------------------------
# Properties


def test_consumption_units():
    result = calculate(
        2025,
        6,
        n_adults=[1, 2, 2, 1],
        children_0_2=[0, 1, 0, 0],
        children_3_13=[0, 1, 0, 2],
        children_14_19=[0, 0, 2, 1],
    )
    assert np.allclose(result.consumption_units, [1.0, 2.1, 2.5, 2.1])
    assert np.allclose(result.standard_of_living, result.disposable_income / result.consumption_units)


def test_rsa_is_zero_above_its_ceiling_and_ppa_zero_without_earnings():
    earnings = np.linspace(0, 4000, 401)
    result = calculate(2025, 6, n_adults=1, earnings_1=earnings, rent=0.0)
    ceiling = 646.52 * 0.88
    assert np.all(result.rsa[earnings >= ceiling] == 0)
    assert np.all(result.rsa[earnings < ceiling - 10] > 0)
    no_work = calculate(2025, 6, n_adults=[1, 2, 2], children_3_13=[0, 0, 2], rent=[0, 500, 700])
    assert np.all(no_work.ppa == 0)


def test_disposable_income_rises_with_earnings_except_documented_cliffs():
    # Documented cliffs (docs/TAX_BENEFIT.md): where RSA stops (below 1,200 EUR of earnings here)
    # the housing benefit loses the neutralisation of resources; the family allowances are halved
    # above their income ceilings (above 6,000 EUR here; the law's smoothing supplement is left out);
    # minimum payments and the euro rounding of housing benefit move it by a few euros.
    table = grid_table(2025, 6, rents=np.array([0.0, 300.0, 600.0]))
    steps = np.diff(table.table, axis=2)
    earnings = table.earnings[1:]
    assert steps.min() > -200.0
    middle = (earnings > 1200) & (earnings < 6000)
    assert steps[:, :, middle].min() > -20.0
    assert np.mean(steps[:, :, middle] < -1.0) < 0.005


def test_amounts_follow_the_dates_and_are_indexed_after_the_last_value():
    before = parameters_at(2025, 3)["rsa.base"]
    after = parameters_at(2025, 4)["rsa.base"]
    assert (before, after) == (635.71, 646.52)
    last = parameters_at(2026, 4)["rsa.base"]
    assert np.isclose(parameters_at(2028, 4)["rsa.base"], last * 1.015**2)
    assert parameters_at(2030, 1)["ppa.minimum_paid"] == 15  # fixed in euros, not indexed


def test_poverty_line():
    assert poverty_line(2021) == 1158.0
    assert poverty_line(2019) == 1102.0
    assert 1102 < poverty_line(2020) < 1158
    # after 2021, the line follows the indexation of euro amounts (legislation.yaml)
    assert np.isclose(poverty_line(2023), 1158 * 1.015**2)


# ----------------------------------------------------------------------------------------------
# Grid table and Numba lookup


def test_lookup_matches_direct_calculation_on_random_households():
    rng = np.random.default_rng(12)
    table = grid_table(2025, 6)
    n = 2000
    types = rng.integers(0, len(table.household_types), n)
    earnings = rng.uniform(0, 6000, n)
    rents = np.where(rng.random(n) < 0.3, 0.0, rng.uniform(200, 1200, n))
    kinds = table.household_types[types]
    direct = calculate(
        2025,
        6,
        n_adults=kinds[:, 0],
        children_0_2=kinds[:, 1],
        children_3_13=kinds[:, 2],
        children_14_19=kinds[:, 3],
        earnings_1=earnings,
        rent=rents,
    ).disposable_income
    looked_up = np.array(
        [
            disposable_income_lookup(int(t), float(e), float(r), table.earnings, table.rents, table.table)
            for t, e, r in zip(types, earnings, rents, strict=True)
        ]
    )
    error = np.abs(looked_up - direct) / direct
    assert np.quantile(error, 0.99) < 0.01
    assert error.max() < 0.05


# ----------------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize(
    ("arguments", "name"),
    [
        ({"n_adults": 3}, "n_adults"),
        ({"n_adults": 1, "earnings_1": -10.0}, "earnings_1"),
        ({"n_adults": 1, "rent": float("nan")}, "rent"),
        ({"n_adults": 1, "children_3_13": 1.5}, "children_3_13"),
        ({"n_adults": 1, "earnings_2": 100.0}, "earnings_2"),
        ({"n_adults": 1, "unemployed_1": True, "earnings_1": 500.0}, "earnings_1"),
        ({"n_adults": 1, "ass_eligible_1": True, "earnings_1": 500.0}, "ass_eligible_1"),
        ({"n_adults": 1, "ass_eligible_2": True}, "earnings_2"),
        ({"n_adults": [1, 2, 1], "rent": [0.0, 1.0]}, "rent"),
        ({"n_adults": 1, "zone": 4}, "zone"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(arguments, name):
    with pytest.raises(ValueError, match=name):
        make_households(**arguments)


def test_bad_period_raises_value_error():
    with pytest.raises(ValueError, match="year"):
        calculate(1990, 1, n_adults=1)
    with pytest.raises(ValueError, match="month"):
        calculate(2025, 13, n_adults=1)
