"""Text summaries of runs."""

from __future__ import annotations

import pandas as pd

SUMMARY_COLUMNS = {
    "date": "month",
    "unemployment_rate": "unemp %",
    "youth_unemployment_rate": "15-24 %",
    "neet_share": "NEET %",
    "poverty_rate": "poor %",
    "median_income": "median €",
    "startups_alive": "startups",
    "startup_jobs": "startup jobs",
    "no2_popweighted": "NO2",
    "pm25_popweighted": "PM2.5",
    "car_share": "car %",
}


def summary_table(metro: pd.DataFrame) -> pd.DataFrame:
    """Key metro indicators in the first month and every December, rounded for reading."""
    rows = metro[(metro["month"] == metro["month"].min()) | metro["date"].str.endswith("-12")]
    if rows.iloc[-1]["month"] != metro.iloc[-1]["month"]:
        rows = pd.concat([rows, metro.iloc[[-1]]])
    table = rows[list(SUMMARY_COLUMNS)].rename(columns=SUMMARY_COLUMNS)
    return table.round(
        {
            "unemp %": 1,
            "15-24 %": 1,
            "NEET %": 1,
            "poor %": 1,
            "median €": 0,
            "startups": 0,
            "startup jobs": 0,
            "NO2": 1,
            "PM2.5": 1,
            "car %": 1,
        }
    )
