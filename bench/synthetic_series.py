"""Seeded synthetic care-indicator series for the alerting benchmark (no Django, NumPy only).

One call to :func:`generate` gives a batch of monthly series for one *indicator type*:

* ``rare_count`` — rare events with exposure: falls with harm, pressure ulcers, complaints,
  safeguarding concerns (counts per month; exposure = occupied bed days, OBD);
* ``rate`` — falls per 1,000 OBD (counts with exposure; more events per month);
* ``frequent`` — frequent or continuous measures: mean audit score (continuous), supervisions
  overdue % (a proportion with a known denominator, staff due a supervision), agency hours %
  (continuous: hours are not a count of independent events).

Homes have 10–120 beds (triangular, mode 35), occupancy 80–98 %, and a home-specific latent
level (between-home heterogeneity). Month-to-month variation has a little extra-Poisson /
extra-binomial noise (a log-normal multiplier, sd 0.10), as real data do.

Each series is ``stable`` (no change), a ``step`` (a sustained shift at ``onset``) or a
``drift`` (a linear ramp from ``onset`` reaching the full shift 12 months later), always in
the indicator's concern direction. Effect sizes (printed by the benchmark):

* counts and rates, supervisions overdue %: the latent rate / proportion × U(1.5, 2.0)
  (+50–100 %, as in the SPC research §6);
* audit score: down by U(1.5, 3.0) × the home's month-to-month sd;
* agency %: the latent level × U(1.5, 2.0).

The onset is uniform over the monitored months that leave ≥ 6 (steps) or ≥ 12 (drifts)
months to observe it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

TYPES = ("rare_count", "rate", "frequent")
DAYS_PER_MONTH = 30.44
MONTH_NOISE_SD = 0.10

# name: (kind, rate per 1,000 OBD, or None)
RARE_INDICATORS = {
    "falls_with_harm": 0.45,
    "pressure_ulcers": 0.5,
    "complaints": 0.35,
    "safeguarding": 0.6,
}


@dataclass
class Batch:
    """A batch of series of one indicator type (rows are series, columns months)."""

    indicator_type: str
    indicator: NDArray[np.str_]
    kind: NDArray[np.str_]  # "rate", "proportion" or "continuous" — what the data are
    values: NDArray[np.float64]  # what a chart shows (rate per 1,000 OBD, %, score)
    counts: NDArray[np.float64]  # events / successes (zeros for continuous series)
    exposure: NDArray[np.float64]  # OBD / trials (ones for continuous series)
    concern: NDArray[np.float64]  # +1 higher is worse, −1 lower is worse
    change: NDArray[np.str_]  # "stable", "step" or "drift"
    onset: NDArray[np.int64]  # first changed month (−1 when stable)
    effect: NDArray[np.float64]  # size of the change (multiplier, or σ units for audit)
    beds: NDArray[np.int64]
    # the home's true baseline level before any change (events per OBD for counts and rates;
    # empty for the frequent type): only the oracle bound (`alerting_bound.py`) reads it
    true_rate: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))


def _profile(
    rng: np.random.Generator, change: NDArray[np.str_], onset: NDArray[np.int64], months: int
) -> NDArray[np.float64]:
    """0 before onset, rising to 1: at once for steps, over 12 months for drifts."""
    t = np.arange(months)[None, :]
    since = t - onset[:, None]
    step = (since >= 0).astype(np.float64)
    ramp = np.clip((since + 1) / 12.0, 0.0, 1.0)
    out = np.where((change == "step")[:, None], step, 0.0)
    out = np.where((change == "drift")[:, None], ramp, out)
    return out


def generate(
    indicator_type: str,
    n_series: int,
    *,
    seed: int,
    baseline: int = 24,
    monitor: int = 36,
    share_stable: float = 0.4,
    share_step: float = 0.4,
) -> Batch:
    if indicator_type not in TYPES:
        raise ValueError(f"unknown indicator type {indicator_type!r}")
    rng = np.random.default_rng([seed, TYPES.index(indicator_type)])
    months = baseline + monitor
    n = n_series
    beds = np.rint(rng.triangular(10, 35, 120, n)).astype(np.int64)
    occupancy = rng.uniform(0.80, 0.98, n)
    obd = beds[:, None] * occupancy[:, None] * DAYS_PER_MONTH * rng.uniform(0.97, 1.0, (n, months))
    u = rng.uniform(size=n)
    change = np.where(
        u < share_stable, "stable", np.where(u < share_stable + share_step, "step", "drift")
    )
    latest_step = baseline + monitor - 6
    latest_drift = baseline + monitor - 12
    onset = np.where(
        change == "step",
        rng.integers(baseline, latest_step + 1, n),
        rng.integers(baseline, latest_drift + 1, n),
    )
    onset = np.where(change == "stable", -1, onset).astype(np.int64)
    profile = _profile(rng, change, onset, months)
    noise = np.exp(rng.normal(0.0, MONTH_NOISE_SD, (n, months)) - MONTH_NOISE_SD**2 / 2)

    if indicator_type in ("rare_count", "rate"):
        if indicator_type == "rare_count":
            names = np.array(list(RARE_INDICATORS))
            indicator = names[rng.integers(0, len(names), n)]
            base_rate = np.array([RARE_INDICATORS[str(x)] for x in indicator])
        else:
            indicator = np.full(n, "falls_per_1000_obd")
            base_rate = np.full(n, 5.0)
        home_rate = base_rate * rng.lognormal(-0.125, 0.5, n) / 1000.0
        effect = rng.uniform(1.5, 2.0, n)
        mult = 1.0 + (effect[:, None] - 1.0) * profile
        counts = rng.poisson(home_rate[:, None] * mult * noise * obd).astype(np.float64)
        return Batch(
            indicator_type,
            indicator,
            np.full(n, "rate"),
            1000.0 * counts / obd,
            counts,
            obd,
            np.ones(n),
            change,
            onset,
            np.where(change == "stable", 1.0, effect),
            beds,
            home_rate,
        )

    # frequent / continuous: a third each of audit score, supervisions overdue %, agency %
    which = rng.integers(0, 3, n)
    indicator = np.array(["audit_score", "supervision_overdue_pct", "agency_pct"])[which]
    kind = np.array(["continuous", "proportion", "continuous"])[which]
    values = np.zeros((n, months))
    counts = np.zeros((n, months))
    exposure = np.ones((n, months))
    concern = np.where(which == 0, -1.0, 1.0)
    effect = np.where(which == 0, rng.uniform(1.5, 3.0, n), rng.uniform(1.5, 2.0, n))
    effect = np.where(change == "stable", np.where(which == 0, 0.0, 1.0), effect)

    audit = which == 0
    mean = rng.uniform(78, 92, n)
    sd = rng.uniform(3, 6, n)
    score = mean[:, None] - effect[:, None] * sd[:, None] * profile
    score = score + rng.normal(0, 1, (n, months)) * sd[:, None]
    values[audit] = np.clip(np.round(score, 1), 0, 100)[audit]

    sup = which == 1
    staff = np.maximum(np.rint(beds * rng.uniform(1.0, 1.6, n)), 8)
    due = np.maximum(
        rng.binomial(staff[:, None].astype(np.int64) * np.ones((1, months), dtype=np.int64), 0.5), 1
    )
    p0 = rng.uniform(0.06, 0.2, n)
    p = np.clip(p0[:, None] * (1.0 + (effect[:, None] - 1.0) * profile) * noise, 0, 0.95)
    overdue = rng.binomial(due, p).astype(np.float64)
    counts[sup] = overdue[sup]
    exposure[sup] = due[sup]
    values[sup] = (100.0 * overdue / due)[sup]

    agency = which == 2
    level = rng.uniform(3, 20, n)
    latent = level[:, None] * (1.0 + (effect[:, None] - 1.0) * profile)
    pct = latent * np.exp(rng.normal(0, 0.2, (n, months)) - 0.02)
    values[agency] = np.clip(np.round(pct, 1), 0, 100)[agency]

    return Batch(
        indicator_type,
        indicator,
        kind,
        values,
        counts,
        exposure,
        concern,
        change,
        onset,
        effect,
        beds,
    )
