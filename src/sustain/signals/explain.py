"""The explanation of a signal in words: the method, its strength and the numbers (pure)."""

from __future__ import annotations

import datetime as dt
import math

METHOD_NAMES = {
    "poisson_gamma_changepoint": "Poisson–Gamma changepoint",
    "beta_binomial_changepoint": "Beta–Binomial changepoint",
    "tabular_cusum": "Tabular CUSUM",
    "poisson_cusum": "Poisson CUSUM",
    "ewma": "EWMA",
}


def base_method(method: str) -> str:
    """The method without its parameters: "poisson_gamma_changepoint(P>0.75)" → its name."""
    return method.split("(", 1)[0]


def method_name(method: str) -> str:
    base = base_method(method)
    return METHOD_NAMES.get(base, base.replace("_", " "))


def number(x: float) -> str:
    """About two significant figures for small numbers, whole numbers from 100."""
    if not math.isfinite(x):
        return "no value"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:,.1f}".rstrip("0").rstrip(".")
    return f"{x:.2f}".rstrip("0").rstrip(".") if abs(x) < 1 else f"{x:.1f}"


def _lower_first(name: str) -> str:
    if len(name) > 1 and name[1].isupper():
        return name  # an acronym: "MAR discrepancy rate"
    return name[:1].lower() + name[1:]


def month_or_week(day: dt.date, weekly: bool) -> str:
    return f"the week of {day.day} {day:%B %Y}" if weekly else f"{day:%B %Y}"


def explanation(*, method: str, strength: float, indicator: str, before: float, after: float,
                change: dt.date | None, period: dt.date, weekly: bool) -> str:
    """E.g. "Poisson–Gamma changepoint: probability 0.91 that falls per 1,000 occupied bed
    days rose from about 4.1 to 7.8 from June 2026." """
    what = _lower_first(indicator)
    moved = "rose" if after > before else "fell"
    name = method_name(method)
    if base_method(method).endswith("changepoint"):
        since = month_or_week(change or period, weekly)
        return (f"{name}: probability {strength:.2f} that {what} {moved} from about "
                f"{number(before)} to {number(after)} from {since}.")
    return (f"{name}: the cumulative evidence reached {strength:.1f} (it alerts above its "
            f"decision limit), {what} {moved} from a baseline of about {number(before)} to "
            f"{number(after)} in {month_or_week(period, weekly)}.")
