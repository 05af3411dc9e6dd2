"""Cross-check of the tax-benefit calculator against openfisca-france, June 2025, housing zone 2.

openfisca-france 176.1.8 needs numpy < 2.4 and the project pins 2.4.6, so it runs in an
environment of its own; this script has two halves:

    python3 -m venv /tmp/openfisca && /tmp/openfisca/bin/pip install openfisca-france==176.1.8
    /tmp/openfisca/bin/python tools/openfisca_crosscheck.py --openfisca > openfisca.json
    .venv/bin/python tools/openfisca_crosscheck.py openfisca.json

The second prints, per household, ampsim's RSA, prime d'activité, housing benefit and family
allowances beside openfisca-france's (docs/TAX_BENEFIT.md quotes the table).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PERIOD = "2025-06"
HISTORY = "month:2023-01:30"  # the same pay every month from January 2023 (AL and AF look back)
GROSS_SMIC = 1801.80  # gross full-time SMIC of June 2025, EUR/month

# name: (adults' ages and gross pay, children's ages, rent)
HOUSEHOLDS = {
    "single, no income": ([(35, 0.0)], [], 400.0),
    "single, full-time SMIC": ([(35, GROSS_SMIC)], [], 400.0),
    "single, half-time SMIC": ([(35, GROSS_SMIC / 2)], [], 400.0),
    "couple, 2 children, one SMIC": ([(35, GROSS_SMIC), (33, 0.0)], [8, 5], 700.0),
    "single parent, 2 children, no income": ([(30, 0.0)], [6, 4], 550.0),
}
BENEFITS = ("rsa", "ppa", "aide_logement", "af")


def openfisca_amounts() -> dict:
    """Each household's benefits and net pay by openfisca-france (its own environment)."""
    from openfisca_core.simulation_builder import SimulationBuilder
    from openfisca_france import FranceTaxBenefitSystem

    system = FranceTaxBenefitSystem()
    out = {}
    for name, (adults, children, rent) in HOUSEHOLDS.items():
        people = {}
        for k, (age, gross) in enumerate(adults):
            people[f"adult{k}"] = {"date_naissance": {"ETERNITY": f"{2025 - age}-01-01"}}
            if gross:
                people[f"adult{k}"]["salaire_de_base"] = {HISTORY: gross * 30}
        for k, age in enumerate(children):
            people[f"child{k}"] = {"date_naissance": {"ETERNITY": f"{2025 - age}-01-01"}}
        parents = [p for p in people if p.startswith("adult")]
        kids = [p for p in people if p.startswith("child")]
        housing = {"loyer": {PERIOD: rent}, "statut_occupation_logement": {PERIOD: "locataire_vide"}}
        situation = {
            "individus": people,
            "familles": {"f": {"parents": parents, "enfants": kids}},
            "foyers_fiscaux": {"t": {"declarants": parents, "personnes_a_charge": kids}},
            "menages": {
                "m": {
                    "personne_de_reference": parents[:1],
                    "conjoint": parents[1:],
                    "enfants": kids,
                    "zone_apl": {PERIOD: "zone_2"},
                    **housing,
                }
            },
        }
        simulation = SimulationBuilder().build_from_entities(system, situation)
        amounts = {v: float(simulation.calculate(v, PERIOD)[0]) for v in BENEFITS}
        amounts["net_pay"] = [float(x) for x in simulation.calculate("salaire_net", PERIOD)[: len(adults)]]
        amounts["asf"] = float(simulation.calculate("asf", PERIOD)[0])
        out[name] = amounts
    return out


def compare(path: str) -> None:
    """ampsim's amounts for the same households, with openfisca-france's net pay, beside its."""
    from ampsim.submodels.income import calculate

    theirs = json.loads(Path(path).read_text(encoding="utf-8"))
    print(f"{'household':38s} {'benefit':14s} {'ampsim':>8s} {'openfisca':>9s}")
    for name, (adults, children, rent) in HOUSEHOLDS.items():
        pay = theirs[name]["net_pay"] + [0.0]
        result = calculate(
            2025,
            6,
            n_adults=len(adults),
            children_3_13=len(children),
            earnings_1=pay[0],
            earnings_2=pay[1] if len(adults) > 1 else 0.0,
            rent=rent,
            zone=2,
        )
        ours = (result.rsa[0], result.ppa[0], result.housing_benefit[0], result.family_allowances[0])
        for benefit, value in zip(BENEFITS, ours, strict=True):
            print(f"{name:38s} {benefit:14s} {value:8.2f} {theirs[name][benefit]:9.2f}")
        print(f"{name:38s} {'asf':14s} {'-':>8s} {theirs[name]['asf']:9.2f}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--openfisca"]:
        json.dump(openfisca_amounts(), sys.stdout, indent=1)
    elif len(sys.argv) == 2:
        compare(sys.argv[1])
    else:
        raise SystemExit("usage: openfisca_crosscheck.py --openfisca | openfisca_crosscheck.py FILE.json")
