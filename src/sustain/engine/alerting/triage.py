"""Which alerting method fits an indicator, and running it.

The mapping follows the SPC research (§5.4, §7.4) and ADR 0015:

* rare counts with exposure (falls with harm, pressure ulcers, complaints, safeguarding) and
  rates with exposure (falls per 1,000 occupied bed days) → Poisson–Gamma changepoint;
* proportions with known denominators → Beta–Binomial changepoint;
* frequent or continuous measures (audit scores, agency %) → one-sided tabular CUSUM.

Every method alerts on *new* concern signals only (:func:`new_concern`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from numpy.typing import ArrayLike

from ._common import AlertResult
from .changepoint import beta_binomial_changepoint, poisson_gamma_changepoint
from .cusum import poisson_cusum, tabular_cusum
from .ewma import ewma


class IndicatorKind(StrEnum):
    RARE_COUNT = "rare_count"
    RATE = "rate"
    PROPORTION = "proportion"
    CONTINUOUS = "continuous"


class Method(StrEnum):
    POISSON_GAMMA = "poisson_gamma_changepoint"
    POISSON_CUSUM = "poisson_cusum"
    BETA_BINOMIAL = "beta_binomial_changepoint"
    TABULAR_CUSUM = "tabular_cusum"
    EWMA = "ewma"


@dataclass(frozen=True)
class MethodChoice:
    method: Method
    params: dict[str, float] = field(default_factory=dict)


# Tuned on the tuning seed of bench/alerting_detection.py (ADR 0015), not on reported seeds.
_CHOICES: dict[IndicatorKind, MethodChoice] = {
    IndicatorKind.RARE_COUNT: MethodChoice(
        Method.POISSON_GAMMA, {"threshold": 0.75, "prior_change": 0.5, "new_shape": 2.0}
    ),
    IndicatorKind.RATE: MethodChoice(
        Method.POISSON_GAMMA, {"threshold": 0.75, "prior_change": 0.5, "new_shape": 2.0}
    ),
    IndicatorKind.PROPORTION: MethodChoice(
        Method.BETA_BINOMIAL, {"threshold": 0.8, "prior_change": 0.5, "new_strength": 5.0}
    ),
    IndicatorKind.CONTINUOUS: MethodChoice(Method.TABULAR_CUSUM, {"k": 0.5, "h": 5.0}),
}


def choose_method(indicator_kind: IndicatorKind | str) -> MethodChoice:
    """The method (and its parameters) used to alert on an indicator of this kind."""
    return _CHOICES[IndicatorKind(indicator_kind)]


def run_method(
    choice: MethodChoice,
    *,
    baseline: int,
    concern: ArrayLike = 1,
    values: ArrayLike | None = None,
    counts: ArrayLike | None = None,
    exposure: ArrayLike | None = None,
) -> AlertResult:
    """Run a chosen method: ``values`` for CUSUM/EWMA; ``counts`` with ``exposure`` (rates) or
    trials (proportions: ``exposure`` is the denominator) for the count methods."""
    p = choice.params
    if choice.method in (Method.TABULAR_CUSUM, Method.EWMA):
        if values is None:
            raise ValueError(f"{choice.method} needs values")
        if choice.method is Method.TABULAR_CUSUM:
            return tabular_cusum(values, baseline=baseline, concern=concern, **p)
        return ewma(values, baseline=baseline, concern=concern, **p)
    if counts is None or exposure is None:
        raise ValueError(f"{choice.method} needs counts and exposure (or trials)")
    if choice.method is Method.POISSON_GAMMA:
        return poisson_gamma_changepoint(
            counts,
            exposure,
            baseline=baseline,
            concern=concern,
            threshold=p.get("threshold", 0.8),
            prior_change=p.get("prior_change", 0.5),
            new_shape=p.get("new_shape", 1.0),
        )
    if choice.method is Method.POISSON_CUSUM:
        return poisson_cusum(
            counts,
            exposure,
            baseline=baseline,
            concern=concern,
            ratio=p.get("ratio", 2.0),
            h=p.get("h", 3.0),
        )
    return beta_binomial_changepoint(
        counts,
        exposure,
        baseline=baseline,
        concern=concern,
        threshold=p.get("threshold", 0.8),
        prior_change=p.get("prior_change", 0.5),
        new_strength=p.get("new_strength", 2.0),
    )


def alert_indicator(
    indicator_kind: IndicatorKind | str,
    *,
    baseline: int,
    concern: ArrayLike = 1,
    values: ArrayLike | None = None,
    counts: ArrayLike | None = None,
    exposure: ArrayLike | None = None,
) -> AlertResult:
    """:func:`choose_method` then :func:`run_method`."""
    return run_method(
        choose_method(indicator_kind),
        baseline=baseline,
        concern=concern,
        values=values,
        counts=counts,
        exposure=exposure,
    )
