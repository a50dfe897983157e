"""An upper bound for alerting on counts with exposure: what an *oracle* could catch.

`alerting_detection.py` shows that Sustain's alerting misses the issue's target (≥ 80 % of
shifts caught within 6 months with ≤ 15 % false alarms on stable series over 36 months) for
rates and rare counts. This script asks whether any method could meet it on the same
synthetic series (`synthetic_series.py`, same seed and sizes): it gives a Poisson CUSUM
(Lucas 1985) the home's **true** baseline rate (no estimation from 24 noisy months) and a
design ratio of 1.75 (the middle of the injected steps, × 1.5 to × 2.0), and sets its
threshold so that exactly 15 % of stable series alarm at least once in the 36 monitored
months. A CUSUM that knows the baseline and the size of the step is the optimal detector of
that step (Lorden; Moustakides 1986), so its detection within 6 months at 15 % false alarms
is close to an upper bound for any practical method, which must estimate the baseline from
24 noisy months. (Giving the oracle each step's true size instead changes the result by
less than one point.)

Usage: ``python bench/alerting_bound.py [--seed 2026] [--n 5000]``. Prints, per type and for
homes under / at least 40 beds, the share of steps the oracle catches within 6 months, beside
the figure the product's method reached in `docs/performance.md`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine  # noqa: E402
from synthetic_series import generate  # noqa: E402

BASELINE = 24
MONITOR = 36
FALSE_ALARMS = 0.15
WINDOW = 6
DESIGN_RATIO = 1.75  # the middle of the injected steps (× 1.5 to × 2.0)


def oracle_cusum(counts: NDArray[np.float64], exposure: NDArray[np.float64],
                 rate0: NDArray[np.float64], ratio: NDArray[np.float64],
                 h: float) -> NDArray[np.bool_]:
    """Alarms (series × months) of a Poisson CUSUM with known rate0 and design ratio, reset
    after each alarm; the monitored months only (earlier months are False)."""
    series, months = counts.shape
    log_ratio = np.log(ratio)
    s = np.zeros(series)
    alarms = np.zeros((series, months), dtype=np.bool_)
    for t in range(BASELINE, months):
        mu0 = rate0 * exposure[:, t]
        s = np.maximum(0.0, s + counts[:, t] * log_ratio - mu0 * (ratio - 1.0))
        alarms[:, t] = s > h
        s = np.where(alarms[:, t], 0.0, s)
    return alarms


def max_statistic(counts: NDArray[np.float64], exposure: NDArray[np.float64],
                  rate0: NDArray[np.float64], ratio: NDArray[np.float64]) -> NDArray[np.float64]:
    """The largest CUSUM value over the monitored months with no reset (for calibrating h:
    a series alarms at least once exactly when this exceeds h)."""
    log_ratio = np.log(ratio)
    s = np.zeros(counts.shape[0])
    top = np.zeros(counts.shape[0])
    for t in range(BASELINE, counts.shape[1]):
        s = np.maximum(0.0, s + counts[:, t] * log_ratio - rate0 * exposure[:, t] * (ratio - 1))
        top = np.maximum(top, s)
    return top


def bound(indicator_type: str, n: int, seed: int) -> dict[str, float]:
    batch = generate(indicator_type, n, seed=seed, baseline=BASELINE, monitor=MONITOR)
    stable = batch.change == "stable"
    step = batch.change == "step"
    ratio = np.full(batch.change.shape, DESIGN_RATIO)
    top = max_statistic(batch.counts[stable], batch.exposure[stable], batch.true_rate[stable],
                        ratio[stable])
    h = float(np.quantile(top, 1.0 - FALSE_ALARMS))
    alarms = oracle_cusum(batch.counts[step], batch.exposure[step], batch.true_rate[step],
                          ratio[step], h)
    onset = batch.onset[step]
    months = np.arange(alarms.shape[1])[None, :]
    in_window = (months >= onset[:, None]) & (months < onset[:, None] + WINDOW)
    caught = np.any(alarms & in_window, axis=1)
    beds = batch.beds[step]
    return {"h": h, "caught": float(caught.mean()),
            "caught_small": float(caught[beds < 40].mean()),
            "caught_large": float(caught[beds >= 40].mean()),
            "steps": int(step.sum()), "stable": int(stable.sum())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args()
    print(machine())
    print(f"Oracle Poisson CUSUM (true baseline rate, design ratio {DESIGN_RATIO}), threshold for "
          f"{FALSE_ALARMS:.0%} false alarms over {MONITOR} months; seed {args.seed}, "
          f"{args.n} series per type")
    print(f"{'type':<12}{'h':>7}{'caught ≤6 m':>14}{'< 40 beds':>12}{'≥ 40 beds':>12}")
    start = time.perf_counter()
    for kind in ("rate", "rare_count"):
        r = bound(kind, args.n, args.seed)
        print(f"{kind:<12}{r['h']:>7.2f}{r['caught']:>14.1%}{r['caught_small']:>12.1%}"
              f"{r['caught_large']:>12.1%}")
    print(f"({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
