"""Spiegelhalter funnel plots: comparing locations of different sizes on one indicator.

Two kinds of indicator (ADR 0016; research §5.3):

- a **rate** (Poisson with exposure): y events over E units of exposure, e.g. falls per 1,000
  occupied bed days over a rolling 12 months. Under the null each unit's rate y/E has variance
  θ₀/E;
- a **proportion** (binomial): y of n, e.g. supervisions overdue. Variance θ₀(1 − θ₀)/n.

θ₀ is the pooled target Σy / ΣE. Each unit's z-score is (y/E − θ₀)/s with s² the null variance.

**Overdispersion** (Spiegelhalter 2005, QSHC 14:347): z-scores are winsorised at their 10th and
90th percentiles, φ = mean(z_w²); with weights w = 1/s², the additive random-effects variance is
τ² = (nφ − (n − 1)) / (Σw − Σw²/Σw), and τ² = 0 when nφ ≤ n − 1 (no more spread than chance).
The adjusted z-score is (y/E − θ₀)/√(s² + τ²), and the control limits at exposure E are
θ₀ ± k √(θ₀/E + τ²) (rate) or θ₀ ± k √(θ₀(1 − θ₀)/E + τ²) (proportion), with k = 1.960 (95 %)
and k = 3.090 (99.8 %), using the normal approximation of the research. Lower limits are cut
at 0 (and upper limits of proportions at 1).

Units with no exposure are listed but not judged. Everything is vectorised with NumPy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

RULE_VERSION = "funnel-1"
Z95 = 1.959963984540054  # two-sided 95 %
Z998 = 3.090232306167813  # two-sided 99.8 %
WINSOR = 0.10

FloatArray = npt.NDArray[np.float64]


class FunnelKind(StrEnum):
    RATE = "rate"
    PROPORTION = "proportion"


class Direction(StrEnum):
    HIGHER_IS_WORSE = "higher_is_worse"
    HIGHER_IS_BETTER = "higher_is_better"
    NEUTRAL = "neutral"


class Position(StrEnum):
    INSIDE = "inside"
    ABOVE_95 = "above_95"
    ABOVE_998 = "above_99_8"
    BELOW_95 = "below_95"
    BELOW_998 = "below_99_8"
    NOT_JUDGED = "not_judged"


POSITION_LABELS = {
    Position.INSIDE: "inside the 95 % limits",
    Position.ABOVE_95: "above the 95 % limit",
    Position.ABOVE_998: "above the 99.8 % limit",
    Position.BELOW_95: "below the 95 % limit",
    Position.BELOW_998: "below the 99.8 % limit",
    Position.NOT_JUDGED: "not judged (no exposure)",
}


class Judgement(StrEnum):
    CONCERN = "concern"
    BETTER = "better"
    HIGH = "high"  # neutral direction, above a limit
    LOW = "low"  # neutral direction, below a limit
    NONE = "none"


@dataclass(frozen=True)
class Overdispersion:
    n: int
    phi: float
    tau2: float
    adjusted: bool
    explanation: str


@dataclass(frozen=True)
class Limits:
    """Control limits (already × multiplier) at each exposure in `exposure`."""

    exposure: FloatArray
    lower95: FloatArray
    upper95: FloatArray
    lower998: FloatArray
    upper998: FloatArray


@dataclass(frozen=True)
class FunnelUnit:
    key: str
    count: float
    exposure: float
    value: float | None  # the unit's rate or proportion × multiplier
    z: float | None  # unadjusted
    z_adjusted: float | None
    position: Position
    judgement: Judgement
    explanation: str


@dataclass(frozen=True)
class Funnel:
    kind: FunnelKind
    direction: Direction
    multiplier: float
    theta0: float  # pooled target, not multiplied
    target: float  # theta0 × multiplier
    overdispersion: Overdispersion
    units: tuple[FunnelUnit, ...]
    rule_version: str = RULE_VERSION

    def limits(self, exposure: Sequence[float] | FloatArray) -> Limits:
        """Limits for drawing the funnel at the given exposures."""
        return funnel_limits(self.kind, self.theta0, self.overdispersion.tau2, exposure,
                             self.multiplier)


def null_variance(kind: FunnelKind | str, theta0: float,
                  exposure: FloatArray) -> FloatArray:
    """The within-unit variance of y/E under the target, for each exposure (E > 0)."""
    e = np.asarray(exposure, dtype=np.float64)
    if FunnelKind(kind) is FunnelKind.RATE:
        return np.asarray(theta0 / e, dtype=np.float64)
    return np.asarray(theta0 * (1.0 - theta0) / e, dtype=np.float64)


def winsorise(z: FloatArray, fraction: float = WINSOR) -> FloatArray:
    """z with values below the `fraction` quantile (above 1 − fraction) pulled in to it."""
    if z.size == 0:
        return z
    lo, hi = np.quantile(z, [fraction, 1.0 - fraction])
    return np.clip(z, lo, hi)


def overdispersion(z: FloatArray, weights: FloatArray,
                   fraction: float = WINSOR) -> Overdispersion:
    """φ from winsorised z-scores and the additive random-effects τ² (Spiegelhalter 2005)."""
    z = np.asarray(z, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    n = int(z.size)
    if n < 2:
        return Overdispersion(n, float("nan"), 0.0, False,
                              "Too few units to estimate overdispersion; none assumed.")
    phi = float(np.mean(winsorise(z, fraction) ** 2))
    sw = float(np.sum(w))
    denom = sw - float(np.sum(w ** 2)) / sw
    if n * phi <= n - 1 or denom <= 0:
        return Overdispersion(n, phi, 0.0, False,
                              f"No overdispersion: φ = {phi:.2f} is no more than chance "
                              f"(nφ ≤ n − 1 with n = {n}), so τ² = 0.")
    tau2 = (n * phi - (n - 1)) / denom
    return Overdispersion(n, phi, tau2, True,
                          f"Overdispersion φ = {phi:.2f} across {n} units (z-scores winsorised "
                          f"at {round(fraction * 100)} %/{round((1 - fraction) * 100)} %); "
                          f"limits widened by an additive between-unit variance τ² = {tau2:.3g}.")


def funnel_limits(kind: FunnelKind | str, theta0: float, tau2: float,
                  exposure: Sequence[float] | FloatArray, multiplier: float = 1.0) -> Limits:
    """95 % and 99.8 % limits at each exposure (× multiplier), for drawing the funnel."""
    kind = FunnelKind(kind)
    e = np.asarray(exposure, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(null_variance(kind, theta0, e) + tau2)
    upper_cap = 1.0 if kind is FunnelKind.PROPORTION else np.inf

    def band(k: float) -> tuple[FloatArray, FloatArray]:
        lo = np.clip(theta0 - k * sd, 0.0, upper_cap) * multiplier
        hi = np.clip(theta0 + k * sd, 0.0, upper_cap) * multiplier
        return lo.astype(np.float64), hi.astype(np.float64)

    lo95, hi95 = band(Z95)
    lo998, hi998 = band(Z998)
    return Limits(e, lo95, hi95, lo998, hi998)


_POSITIONS = (Position.NOT_JUDGED, Position.ABOVE_998, Position.ABOVE_95, Position.BELOW_998,
              Position.BELOW_95, Position.INSIDE)


def classify(z_adjusted: FloatArray) -> list[Position]:
    """Position of each adjusted z-score against ±1.960 and ±3.090 (NaN: not judged)."""
    z = np.asarray(z_adjusted, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        code = np.select([np.isnan(z), z > Z998, z > Z95, z < -Z998, z < -Z95],
                         [0, 1, 2, 3, 4], default=5)
    return [_POSITIONS[c] for c in code.tolist()]


def judge(position: Position, direction: Direction | str) -> Judgement:
    """Concern or better by the indicator's direction (neutral: high or low)."""
    direction = Direction(direction)
    above = position in (Position.ABOVE_95, Position.ABOVE_998)
    below = position in (Position.BELOW_95, Position.BELOW_998)
    if not (above or below):
        return Judgement.NONE
    if direction is Direction.NEUTRAL:
        return Judgement.HIGH if above else Judgement.LOW
    worse = above if direction is Direction.HIGHER_IS_WORSE else below
    return Judgement.CONCERN if worse else Judgement.BETTER


def _fmt(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 10 else f"{x:,.1f}"


def funnel(keys: Sequence[str], counts: Sequence[float] | FloatArray,
           exposures: Sequence[float] | FloatArray, *, kind: FunnelKind | str,
           direction: Direction | str = Direction.HIGHER_IS_WORSE, multiplier: float = 1.0,
           adjust: bool = True, unit_label: str = "") -> Funnel:
    """The funnel of one indicator over many units (e.g. locations over the last 12 months).

    `counts` are the numerators (events, or successes for a proportion) and `exposures` the
    denominators (bed days, or trials). `multiplier` scales the values shown (1,000 for "per
    1,000 bed days", 100 for a percentage). With `adjust` False no overdispersion is estimated.
    """
    kind = FunnelKind(kind)
    direction = Direction(direction)
    y = np.asarray(counts, dtype=np.float64)
    e = np.asarray(exposures, dtype=np.float64)
    if y.shape != e.shape or y.ndim != 1 or len(keys) != y.size:
        raise ValueError("keys, counts and exposures must be one-dimensional and of one length")
    if np.any(y < 0) or np.any(e < 0) or not np.all(np.isfinite(y)) or not np.all(
            np.isfinite(e)):
        raise ValueError("counts and exposures must be finite and not negative")
    if kind is FunnelKind.PROPORTION and np.any(y > e):
        raise ValueError("a proportion's count cannot exceed its denominator")
    judged = e > 0
    total_e = float(e[judged].sum())
    theta0 = float(y[judged].sum()) / total_e if total_e > 0 else 0.0
    degenerate = theta0 <= 0 or (kind is FunnelKind.PROPORTION and theta0 >= 1)

    z = np.full(y.size, np.nan)
    var = np.full(y.size, np.nan)
    value = np.full(y.size, np.nan)
    value[judged] = y[judged] / e[judged]
    if not degenerate:
        var[judged] = null_variance(kind, theta0, e[judged])
        z[judged] = (value[judged] - theta0) / np.sqrt(var[judged])
    else:
        z[judged] = 0.0
    if adjust and not degenerate:
        od = overdispersion(z[judged], 1.0 / var[judged])
    elif degenerate:
        od = Overdispersion(int(judged.sum()), float("nan"), 0.0, False,
                            "Every unit has the same value, so nobody is out of line.")
    else:
        od = Overdispersion(int(judged.sum()), float("nan"), 0.0, False,
                            "Overdispersion not estimated (switched off).")
    z_adj = z.copy()
    if not degenerate:
        z_adj[judged] = (value[judged] - theta0) / np.sqrt(var[judged] + od.tau2)
    positions = classify(z_adj)
    units = []
    target = theta0 * multiplier
    for i, key in enumerate(keys):
        pos = positions[i]
        if pos is Position.NOT_JUDGED:
            units.append(FunnelUnit(key, float(y[i]), float(e[i]), None, None, None, pos,
                                    Judgement.NONE, "No exposure in the window: not judged."))
            continue
        jd = judge(pos, direction)
        shown = float(value[i]) * multiplier
        text = (f"{_fmt(shown)}{unit_label} against a target of {_fmt(target)}{unit_label} "
                f"({_fmt(float(y[i]))} over {_fmt(float(e[i]))}): {POSITION_LABELS[pos]}")
        text += f" (z = {float(z_adj[i]):.2f}"
        text += ", adjusted for overdispersion)." if od.adjusted else ")."
        if jd is Judgement.CONCERN:
            text += " Out of line in the worse direction."
        elif jd is Judgement.BETTER:
            text += " Out of line in the better direction."
        units.append(FunnelUnit(key, float(y[i]), float(e[i]), shown, float(z[i]),
                                float(z_adj[i]), pos, jd, text))
    return Funnel(kind, direction, multiplier, theta0, target, od, tuple(units))
