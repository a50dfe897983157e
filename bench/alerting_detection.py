"""Alerting benchmark: injected shifts caught within 6 months vs false alarms on stable series,
for Sustain's alerting (`sustain.engine.alerting`) beside the plain Making Data Count rules
(`sustain.engine.spc`), in the same run, on the same synthetic series (`synthetic_series.py`).

Design (SPC research §5.1): 24 baseline months (frozen), 36 monitored months, analysed online.

* Our alerting: the method `choose_method` gives for each series' kind (rare counts and rates:
  Poisson–Gamma changepoint; proportions: Beta–Binomial; continuous: tabular CUSUM); an alarm
  is a *new* concern signal (`AlertResult.alert`).
* Plain MDC: `spc_matrix` on the months up to t with limits fixed on the first 24 points
  (`SPCOptions(fix_after=24)`, MR screening on); an alarm at month t is any
  special-cause-concern label that was not there in the analysis at t − 1.

Metrics per indicator type: caught = share of step series with an alarm in the 6 months from
onset (onset … onset + 5; alarms are concern-direction, which is the injected direction);
false alarms = share of stable series with any alarm in the 36 monitored months; drifts
caught within 12 months are reported too (no target).

Usage: ``python bench/alerting_detection.py [--seed 2026] [--n 3000]`` — the reported seed.
Tuning was done with ``--seed 1 --sweep`` (ADR 0015); never tune on the reported seed.
Exit status 1 when any type misses the target (≥ 80 % caught, ≤ 15 % false alarms).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from _common import machine  # noqa: E402
from synthetic_series import TYPES, Batch, generate  # noqa: E402

from sustain.engine.alerting import (  # noqa: E402
    AlertResult,
    IndicatorKind,
    Method,
    MethodChoice,
    choose_method,
    run_method,
)
from sustain.engine.spc import SPCOptions, spc_matrix  # noqa: E402
from sustain.engine.spc.rules import CONCERN  # noqa: E402

BASELINE = 24
MONITOR = 36
TARGET_CAUGHT = 0.80
TARGET_FALSE = 0.15

Alarms = NDArray[np.bool_]


def mdc_alarms(values: NDArray[np.float64], concern: NDArray[np.float64]) -> Alarms:
    """Online plain-MDC alarms: a concern label that newly appears when month t arrives."""
    series, months = values.shape
    improvement = (-concern).astype(np.int8)
    opts = SPCOptions(fix_after=BASELINE)
    alarms = np.zeros((series, months), dtype=np.bool_)
    previous = np.zeros((series, months), dtype=np.bool_)
    for t in range(BASELINE - 1, months):
        res = spc_matrix(values[:, : t + 1], improvement, options=opts)
        now = np.zeros((series, months), dtype=np.bool_)
        now[:, : t + 1] = (res.point_type == CONCERN).reshape(series, t + 1)
        if t >= BASELINE:
            alarms[:, t] = np.any(now & ~previous, axis=1)
        previous = now
    return alarms


def our_alarms(batch: Batch, choose: Callable[[str], MethodChoice]) -> Alarms:
    """Run the chosen method for each kind of series in the batch; new concern signals."""
    alarms = np.zeros(batch.values.shape, dtype=np.bool_)
    for kind in np.unique(batch.kind):
        rows = batch.kind == kind
        ikind = {"rate": IndicatorKind.RATE, "proportion": IndicatorKind.PROPORTION}.get(
            str(kind), IndicatorKind.CONTINUOUS
        )
        if batch.indicator_type == "rare_count":
            ikind = IndicatorKind.RARE_COUNT
        result: AlertResult = run_method(
            choose(ikind),
            baseline=BASELINE,
            concern=batch.concern[rows],
            values=batch.values[rows],
            counts=batch.counts[rows],
            exposure=batch.exposure[rows],
        )
        alarms[rows] = result.alert
    return alarms


def metrics(
    alarms: Alarms, batch: Batch, rows: NDArray[np.bool_] | None = None
) -> dict[str, float]:
    if rows is not None:
        alarms = alarms[rows]
        batch = Batch(
            *(
                getattr(batch, f)[rows] if f not in ("indicator_type",) else batch.indicator_type
                for f in Batch.__dataclass_fields__
            )
        )
    months = alarms.shape[1]
    t = np.arange(months)[None, :]
    since = t - batch.onset[:, None]
    monitored = t >= BASELINE
    stable = batch.change == "stable"
    step = batch.change == "step"
    drift = batch.change == "drift"
    within6 = np.any(alarms & (since >= 0) & (since < 6), axis=1)
    within12 = np.any(alarms & (since >= 0) & (since < 12), axis=1)
    any_alarm = np.any(alarms & monitored, axis=1)
    return {
        "caught6": float(within6[step].mean()),
        "drift12": float(within12[drift].mean()),
        "false": float(any_alarm[stable].mean()),
        "n_step": float(step.sum()),
        "n_stable": float(stable.sum()),
    }


def _cells(m: dict[str, float]) -> str:
    return f"{m['caught6']:11.1%} {m['false']:11.1%} {m['drift12']:11.1%}"


def sweep(seed: int, n: int, types: tuple[str, ...]) -> None:
    """Tuning grid (run on the tuning seed only)."""
    grids: dict[str, list[MethodChoice]] = {
        IndicatorKind.RARE_COUNT: [
            MethodChoice(
                Method.POISSON_GAMMA, {"threshold": th, "prior_change": pc, "new_shape": s}
            )
            for th in (0.6, 0.65, 0.7, 0.75, 0.8, 0.9)
            for pc in (0.5,)
            for s in (0.5, 1.0, 2.0, 4.0)
        ]
        + [
            MethodChoice(Method.POISSON_CUSUM, {"ratio": r, "h": h})
            for r in (1.75, 2.0)
            for h in (2.0, 2.5, 3.0, 3.5)
        ],
        IndicatorKind.PROPORTION: [
            MethodChoice(
                Method.BETA_BINOMIAL, {"threshold": th, "prior_change": 0.5, "new_strength": s}
            )
            for th in (0.7, 0.8, 0.9, 0.95)
            for s in (1.0, 2.0, 5.0)
        ],
        IndicatorKind.CONTINUOUS: [
            MethodChoice(Method.TABULAR_CUSUM, {"k": k, "h": h})
            for k in (0.5, 0.75)
            for h in (4.0, 4.5, 5.0, 6.0)
        ]
        + [MethodChoice(Method.EWMA, {"lam": 0.2, "limit": L}) for L in (2.86, 3.0, 3.2)],
    }
    for itype in types:
        batch = generate(itype, n, seed=seed, baseline=BASELINE, monitor=MONITOR)
        kinds = (
            [IndicatorKind.RARE_COUNT]
            if itype == "rare_count"
            else (
                [IndicatorKind.RARE_COUNT]
                if itype == "rate"
                else [IndicatorKind.PROPORTION, IndicatorKind.CONTINUOUS]
            )
        )
        for kind in kinds:
            for choice in grids[kind]:

                def pick(
                    k: str,
                    choice: MethodChoice = choice,
                    kind: IndicatorKind = kind,
                    counts_type: bool = itype in ("rare_count", "rate"),
                ) -> MethodChoice:
                    return choice if k == kind or counts_type else choose_method(k)

                m = metrics(our_alarms(batch, pick), batch)
                print(
                    f"{itype:10s} {kind:10s} {choice.method:26s} {choice.params!s:60s} "
                    f"caught {m['caught6']:6.1%}  false {m['false']:6.1%}  "
                    f"drift12 {m['drift12']:6.1%}"
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2026, help="reported seed (tuning used 1)")
    parser.add_argument("--n", type=int, default=3000, help="series per indicator type")
    parser.add_argument("--sweep", action="store_true", help="print the tuning grid instead")
    parser.add_argument("--types", default=",".join(TYPES), help="indicator types to sweep")
    args = parser.parse_args()
    if args.sweep:
        if args.seed == 2026:
            parser.error("tune on another seed than the reported one (e.g. --seed 1)")
        sweep(args.seed, args.n, tuple(args.types.split(",")))
        return 0

    print(f"machine: {machine()}")
    print(
        f"seed {args.seed}; {args.n} series per type; baseline {BASELINE} months frozen, "
        f"{MONITOR} monitored; 40 % stable, 40 % step, 20 % drift"
    )
    print(
        "effects (concern direction): counts, rates, overdue % × U(1.5, 2.0); "
        "agency % × U(1.5, 2.0); audit score − U(1.5, 3.0) σ"
    )
    header = (
        f"{'type':11s} {'method':44s} {'caught ≤6 m':>11s} {'false alarm':>11s} "
        f"{'drift ≤12 m':>11s} {'seconds':>8s}"
    )
    print(header)
    print("-" * len(header))
    missed = []
    for itype in TYPES:
        batch = generate(itype, args.n, seed=args.seed, baseline=BASELINE, monitor=MONITOR)
        start = time.process_time()
        ours_alarms = our_alarms(batch, choose_method)
        ours = metrics(ours_alarms, batch)
        ours_s = time.process_time() - start
        start = time.process_time()
        plain = metrics(mdc_alarms(batch.values, batch.concern), batch)
        plain_s = time.process_time() - start
        methods = sorted(
            {
                choose_method(
                    IndicatorKind.RARE_COUNT
                    if itype == "rare_count"
                    else {"rate": IndicatorKind.RATE, "proportion": IndicatorKind.PROPORTION}.get(
                        str(k), IndicatorKind.CONTINUOUS
                    )
                ).method.value
                for k in np.unique(batch.kind)
            }
        )
        for label, m, secs in (
            ("alerting: " + " + ".join(methods), ours, ours_s),
            ("plain MDC rules (engine.spc, online)", plain, plain_s),
        ):
            print(
                f"{itype:11s} {label:44s} {m['caught6']:11.1%} {m['false']:11.1%} "
                f"{m['drift12']:11.1%} {secs:8.2f}"
            )
        if itype in ("rare_count", "rate"):
            # the alternative for counts (ADR 0015): Poisson CUSUM at its best seed-1 setting
            alt_choice = MethodChoice(Method.POISSON_CUSUM, {"ratio": 2.0, "h": 3.5})
            start = time.process_time()
            alt = metrics(our_alarms(batch, lambda _k, c=alt_choice: c), batch)
            alt_s = time.process_time() - start
            label = "alternative: poisson_cusum(ratio=2, h=3.5)"
            print(f"{itype:11s} {label:44s} {_cells(alt)} {alt_s:8.2f}")
        print(f"{'':11s} ({int(ours['n_step'])} step series, {int(ours['n_stable'])} stable)")
        for label, rows in (
            ("homes < 40 beds", batch.beds < 40),
            ("homes ≥ 40 beds", batch.beds >= 40),
        ):
            m = metrics(ours_alarms, batch, rows)
            print(f"{'':11s}   alerting, {label:34s} {_cells(m)}")
        if itype == "frequent":
            for name in np.unique(batch.indicator):
                m = metrics(ours_alarms, batch, batch.indicator == name)
                print(f"{'':11s}   alerting, {str(name):34s} {_cells(m)}")
        ok = ours["caught6"] >= TARGET_CAUGHT and ours["false"] <= TARGET_FALSE
        if not ok:
            missed.append(
                f"{itype} (caught {ours['caught6']:.1%}, false alarms {ours['false']:.1%})"
            )
    if missed:
        print(
            "TARGET MISSED (≥ 80 % caught within 6 months, ≤ 15 % false alarms): "
            + "; ".join(missed)
        )
        return 1
    print("target met for every indicator type")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
