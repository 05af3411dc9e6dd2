"""Unemployment benefits of the tax-benefit calculator: the ARE (allocation d'aide au retour a
l'emploi) from the gross daily reference wage, and the ASS (allocation de solidarite specifique)
of job seekers who exhausted it, within the couple's resource ceiling. Amounts per month; the
parameters are those of ``legislation.yaml`` (see ``taxbenefit.py`` and docs/TAX_BENEFIT.md)."""

from __future__ import annotations

from typing import Any

import numpy as np

Params = dict[str, Any]


def are_monthly(
    reference_daily_wage: np.ndarray, unemployed: np.ndarray, p: Params
) -> tuple[np.ndarray, np.ndarray]:
    """Net monthly ARE and its taxable part, from the gross daily reference wage (SJR).

    Daily gross = max(57 % SJR, 40.4 % SJR + fixed part), at least the minimum, at most 75 % SJR.
    Deducted: 3 % of the SJR for complementary pensions (unless it brings the allowance under the
    minimum), then CSG 6.2 % and CRDS 0.5 % on 98.25 %, limited so that the monthly allowance stays
    at least the gross monthly SMIC.
    """
    sjr = np.where(unemployed, reference_daily_wage, 0.0)
    daily = are_daily(sjr, p)
    pension = p["are.pension_contribution_rate"] * sjr
    pension = np.where(daily - pension > p["are.minimum"], pension, 0.0)
    days = p["are.days_per_month"]
    gross = daily * days
    after_pension = (daily - pension) * days
    base = p["csg.base_share"] * after_pension
    csg_crds = (p["csg.replacement_full_rate"] + p["crds.rate"]) * base
    csg_crds = np.minimum(csg_crds, np.maximum(after_pension - p["smic.gross_monthly"], 0.0))
    net = np.where(unemployed & (sjr > 0), after_pension - csg_crds, 0.0)
    full = (p["csg.replacement_full_rate"] + p["crds.rate"]) * base
    non_deductible_share = np.divide(
        p["csg.replacement_full_rate"] - p["csg.replacement_deductible_rate"] + p["crds.rate"],
        p["csg.replacement_full_rate"] + p["crds.rate"],
    )
    levied_share = np.divide(csg_crds, full, out=np.zeros_like(full), where=full > 0)
    taxable = net + non_deductible_share * csg_crds * (levied_share > 0)
    return np.where(gross > 0, net, 0.0), np.where(gross > 0, taxable, 0.0)


def are_daily(sjr: np.ndarray, p: Params) -> np.ndarray:
    daily = np.maximum(p["are.rate_alone"] * sjr, p["are.rate_with_fixed_part"] * sjr + p["are.fixed_part"])
    return np.minimum(np.maximum(daily, p["are.minimum"]), p["are.ceiling_rate"] * sjr)


def ass_monthly(
    couple: np.ndarray,
    eligible: tuple[np.ndarray, np.ndarray],
    resources: np.ndarray,
    p: Params,
) -> np.ndarray:
    """Monthly ASS of the household's eligible adults (articles R5423-1 and R5423-2 of the Code du
    travail; openfisca-france's formula): each gets 30 daily amounts, but no more than the resource
    ceiling (70 daily amounts alone, 110 in a couple) less the couple's monthly `resources` (taxable
    wages, net ARE and pensions; the ASS itself, family and housing benefits are not resources
    here); not paid under one daily amount. Neither taxable nor subject to CSG and CRDS."""
    daily = p["ass.daily_amount"]
    ceiling = daily * np.where(couple, p["ass.ceiling_couple"], p["ass.ceiling_single"])
    amount = np.clip(ceiling - resources, 0.0, p["ass.days_per_month"] * daily)
    amount = np.where(amount >= daily, amount, 0.0)
    return amount * (eligible[0].astype(float) + eligible[1].astype(float))
