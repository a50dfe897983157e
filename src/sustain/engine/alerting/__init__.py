"""Alerting on indicator series: alert on *new*, method-backed concern signals, not on every
special-cause point (SPC research §5, §7; ADR 0015). Pure NumPy, vectorised over series.

Inputs are 2-D arrays, series × periods (1-D is one series); the first ``baseline`` periods
freeze the baseline; each later period is analysed online with data up to it only.
"""

from ._common import AlertResult, new_concern
from .changepoint import beta_binomial_changepoint, poisson_gamma_changepoint
from .cusum import poisson_cusum, tabular_cusum
from .ewma import ewma
from .triage import (
    IndicatorKind,
    Method,
    MethodChoice,
    alert_indicator,
    choose_method,
    run_method,
)

__all__ = [
    "AlertResult",
    "IndicatorKind",
    "Method",
    "MethodChoice",
    "alert_indicator",
    "beta_binomial_changepoint",
    "choose_method",
    "ewma",
    "new_concern",
    "poisson_cusum",
    "poisson_gamma_changepoint",
    "run_method",
    "tabular_cusum",
]
