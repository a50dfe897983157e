"""Time the SPC engine on the national estate: 27,000 locations × 12 indicators × 60 months
= 324,000 series, 19.44 M points (targets: ≤ 1.5 s and ≤ 256 MiB peak for the computation).

    .venv/bin/python bench/spc_bulk.py [--locations 27000] [--workers 2] [--repeats 3]

abspc (PyPI, a bench-only peer; not a project dependency) is timed on 1,000 of the same series
when installed:

    .venv/bin/pip install abspc

The data is synthetic and seeded (numpy): 12 indicator types — Poisson rates per 1,000
occupied bed days, rare counts, binomial percentages, audit scores — with location sizes
log-normal around 35 beds, and about 8 % of series given a step shift. Generation is not timed.

The computation runs in `--workers` processes (fork, chunk per process): the 155 MB input
and the int8 outputs (rule, point type) live in shared memory, each worker labels its share in
chunks of 32,768 series with `sustain.engine.spc.spc_matrix` and writes its labels and
per-series limits back. The pool is started (and warmed on a small chunk) before the clock
starts; its start-up time is printed separately.

Memory: each worker traces its numpy/Python allocations with tracemalloc (the computation's
working memory; the shared input and output arrays are excluded), and the script prints the
sum over workers together with the parent's traced peak and the children's max RSS (which
counts the shared pages each child touched). The target is checked against
the sum of the workers' traced peaks plus the parent's.

Prints the figures, the machine and its load average; exits non-zero if a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import sys
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context, shared_memory
from pathlib import Path
from typing import Any

import numpy as np
from _common import machine  # noqa: E402 - bench/ helpers

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from sustain.engine.spc import SPCOptions, spc_matrix  # noqa: E402

BUDGET_SECONDS = 1.5
BUDGET_MIB = 256.0
MONTHS = 60
INDICATORS = 12
CHUNK = 32_768
SEED = 20261127
# per indicator: improvement direction (+1 higher is better, −1 lower is better)
DIRECTIONS = np.array([-1, -1, -1, -1, -1, -1, -1, -1, -1, 1, 1, 1], dtype=np.int8)


def generate(y: np.ndarray, locations: int, seed: int = SEED) -> None:
    """Fill y (locations·12 × 60) with the synthetic national mix, location-major."""
    rng = np.random.default_rng(seed)
    beds = np.clip(rng.lognormal(np.log(35), 0.5, locations), 5, 200)
    obd = beds * 30.4 * rng.uniform(0.8, 0.98, locations)  # occupied bed days per month
    staff = np.maximum(5, (beds * rng.uniform(1.0, 1.6, locations)).round())
    shape = (locations, MONTHS)
    step = np.zeros((locations, INDICATORS, MONTHS))
    shifted = rng.random((locations, INDICATORS)) < 0.08
    onset = rng.integers(30, 55, (locations, INDICATORS))
    months = np.arange(MONTHS)
    step[shifted] = (months[None, :] >= onset[shifted][:, None]) * rng.choice(
        [-0.5, 0.5, 1.0], shifted.sum())[:, None]
    view = y.reshape(locations, INDICATORS, MONTHS)

    def rate(k: int, per_1000: float) -> None:
        lam = per_1000 * rng.gamma(4, 0.25, locations)[:, None] * (1 + step[:, k]) * obd[:, None]
        view[:, k] = rng.poisson(np.maximum(lam, 0) / 1000) / obd[:, None] * 1000

    def count(k: int, mean: float) -> None:
        lam = mean * rng.gamma(2, 0.5, locations)[:, None] * (1 + step[:, k])
        view[:, k] = rng.poisson(np.maximum(lam, 0) * np.ones(shape))

    def percent(k: int, p: float, n: np.ndarray) -> None:
        pk = np.clip(rng.beta(20 * p, 20 * (1 - p), locations)[:, None] * (1 + 0.3 * step[:, k]),
                     0, 1)
        trials = n[:, None].astype(np.int64)
        view[:, k] = rng.binomial(trials, pk * np.ones(shape)) / n[:, None] * 100

    rate(0, 8.0)  # falls per 1,000 OBD
    rate(1, 0.8)  # falls with harm
    rate(2, 3.0)  # medicines errors
    rate(3, 0.5)  # pressure ulcers
    count(4, 0.6)  # complaints
    count(5, 0.8)  # safeguarding concerns
    percent(6, 0.12, staff * 160)  # agency hours % (hours)
    percent(7, 0.03, staff)  # staff turnover %
    percent(8, 0.15, staff)  # overdue supervisions %
    percent(9, 0.9, staff)  # training compliance %
    view[:, 10] = np.clip(rng.normal(85, 5, locations)[:, None] + rng.normal(0, 4, shape)
                          - 5 * step[:, 10], 0, 100)  # audit score
    percent(11, 0.85, beds.round())  # care-plan reviews on time %


_shared: dict[str, Any] = {}


def _attach(names: tuple[str, str, str, str], n_series: int) -> None:
    y_shm = shared_memory.SharedMemory(name=names[0])
    r_shm = shared_memory.SharedMemory(name=names[1])
    p_shm = shared_memory.SharedMemory(name=names[2])
    l_shm = shared_memory.SharedMemory(name=names[3])
    _shared.update(
        shms=(y_shm, r_shm, p_shm, l_shm),
        y=np.ndarray((n_series, MONTHS), dtype=np.float64, buffer=y_shm.buf),
        rule=np.ndarray((n_series, MONTHS), dtype=np.int8, buffer=r_shm.buf),
        ptype=np.ndarray((n_series, MONTHS), dtype=np.int8, buffer=p_shm.buf),
        limits=np.ndarray((n_series, 3), dtype=np.float64, buffer=l_shm.buf),
        directions=np.tile(DIRECTIONS, n_series // INDICATORS),
    )


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _work(lo: int, hi: int, options: SPCOptions) -> tuple[float, int, int]:
    """Label series lo:hi in chunks; returns (CPU seconds, traced peak bytes, peak RSS growth
    in KiB — the shared pages this worker touched included)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS (Linux)
    rss_start = _status_kib("VmRSS")
    tracemalloc.start()
    t = time.process_time()
    y, rule, ptype, limits = _shared["y"], _shared["rule"], _shared["ptype"], _shared["limits"]
    directions = _shared["directions"]
    for a in range(lo, hi, CHUNK):
        b = min(hi, a + CHUNK)
        res = spc_matrix(y[a:b], directions[a:b], options=options)
        rule[a:b] = res.rule.reshape(b - a, MONTHS)
        ptype[a:b] = res.point_type.reshape(b - a, MONTHS)
        limits[a:b, 0] = res.groups.mean
        limits[a:b, 1] = res.groups.lpl
        limits[a:b, 2] = res.groups.upl
        del res
    cpu = time.process_time() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return cpu, peak, _status_kib("VmHWM") - rss_start


def time_abspc(y: np.ndarray, directions: np.ndarray, count: int) -> float | None:
    try:
        import abspc  # type: ignore[import-untyped]
        import pandas as pd  # type: ignore[import-untyped]
    except ImportError:
        return None
    import warnings

    warnings.filterwarnings("ignore")
    rng = np.random.default_rng(SEED + 1)
    pick = rng.choice(y.shape[0], count, replace=False)
    t = time.perf_counter()
    for i in pick:
        df = pd.DataFrame({"value": y[i]})
        res = abspc.calculate_control_limits(df, "XmR", value_col="value", subgroup_col=None)
        res = abspc.detect_special_causes(res)
        way = "high" if directions[i] > 0 else "low"
        abspc.determine_point_colours(res, improvement_direction=way)
        abspc.determine_variation_type(res, improvement_direction=way)
    return time.perf_counter() - t


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=27_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--abspc-series", type=int, default=1_000)
    parser.add_argument("--rules", choices=("ptd", "mdc2023"), default="ptd")
    args = parser.parse_args()
    n_series = args.locations * INDICATORS
    options = SPCOptions(rules=args.rules)
    print(f"machine: {machine()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    shms = [shared_memory.SharedMemory(create=True, size=max(1, size)) for size in (
        n_series * MONTHS * 8, n_series * MONTHS, n_series * MONTHS, n_series * 3 * 8)]
    try:
        y = np.ndarray((n_series, MONTHS), dtype=np.float64, buffer=shms[0].buf)
        t = time.perf_counter()
        generate(y, args.locations)
        print(f"data: {args.locations:,} locations × {INDICATORS} indicators × {MONTHS} months "
              f"= {n_series:,} series, {n_series * MONTHS / 1e6:.2f} M points "
              f"({y.nbytes / 2**20:.0f} MiB), generated in {time.perf_counter() - t:.1f} s")
        names = tuple(s.name for s in shms)
        workers = max(1, args.workers)
        bounds = np.linspace(0, n_series, workers + 1).astype(int)
        bounds = (bounds // INDICATORS) * INDICATORS
        bounds[-1] = n_series
        t = time.perf_counter()
        pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"),
                                   initializer=_attach, initargs=(names, n_series))
        list(pool.map(_work, [0] * workers, [min(n_series, 1200)] * workers,
                      [options] * workers))
        print(f"pool start-up and warm-up (not timed below): {time.perf_counter() - t:.2f} s")
        tracemalloc.start()
        walls, cpus, peaks, growth = [], [], [], []
        for _ in range(args.repeats):
            tracemalloc.reset_peak()
            t = time.perf_counter()
            futures = [pool.submit(_work, int(bounds[w]), int(bounds[w + 1]), options)
                       for w in range(workers)]
            results = [f.result() for f in futures]
            walls.append(time.perf_counter() - t)
            cpus.append(sum(r[0] for r in results))
            peaks.append(sum(r[1] for r in results))
            growth.append(sum(r[2] for r in results) / 1024)
        parent_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        pool.shutdown()
        child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        wall = float(np.median(walls))
        traced = max(peaks) / 2**20 + parent_peak / 2**20
        rule = np.ndarray((n_series, MONTHS), dtype=np.int8, buffer=shms[1].buf)
        ptype = np.ndarray((n_series, MONTHS), dtype=np.int8, buffer=shms[2].buf)
        special = float((rule != 0).mean())
        latest_concern = float((ptype[:, -1] == 2).mean())
        print(f"SPC ({args.rules}, {workers} worker(s), chunks of {CHUNK:,} series): "
              f"median {wall:.2f} s wall over {args.repeats} runs "
              f"({', '.join(f'{w:.2f}' for w in walls)}), {float(np.median(cpus)):.2f} s CPU, "
              f"{n_series / wall:,.0f} series/s, {n_series * MONTHS / wall / 1e6:.2f} M points/s")
        print(f"memory: traced peak {traced:.1f} MiB (workers summed, worst run "
              f"{max(peaks) / 2**20:.1f} MiB + parent {parent_peak / 2**20:.1f} MiB); "
              f"workers' peak RSS growth {max(growth):.0f} MiB summed (includes the shared input "
              f"and output pages touched); children max RSS {child_rss:.0f} MiB (includes pages "
              f"inherited from the parent at fork); "
              f"parent max RSS {self_rss:.0f} MiB (was {rss0:.0f} MiB before the data); "
              f"shared input {y.nbytes / 2**20:.0f} MiB + outputs "
              f"{(rule.nbytes + ptype.nbytes) / 2**20:.0f} MiB")
        print(f"labels: {special:.1%} of points special cause; latest point a concern in "
              f"{latest_concern:.1%} of series")

        ok = wall <= BUDGET_SECONDS and traced <= BUDGET_MIB
        abspc_time = time_abspc(y, np.tile(DIRECTIONS, args.locations), args.abspc_series)
        if abspc_time is None:
            print("abspc: not installed, skipped (bench-only peer: "
                  ".venv/bin/pip install abspc)")
        else:
            ours = wall / n_series
            theirs = abspc_time / args.abspc_series
            from importlib.metadata import version

            print(f"abspc {version('abspc')} on {args.abspc_series:,} of the same series: "
                  f"{abspc_time:.2f} s "
                  f"({theirs * 1e3:.2f} ms/series; all {n_series:,} series would take "
                  f"~{theirs * n_series / 60:.0f} min); per-series ratio abspc / sustain "
                  f"= {theirs / ours:,.0f}× by wall time ({workers} worker(s)), "
                  f"{theirs / (float(np.median(cpus)) / n_series):,.0f}× by CPU time")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"targets: ≤ {BUDGET_SECONDS} s → {'met' if wall <= BUDGET_SECONDS else 'MISSED'}; "
              f"≤ {BUDGET_MIB:.0f} MiB traced → {'met' if traced <= BUDGET_MIB else 'MISSED'}")
        return 0 if ok else 1
    finally:
        for s in shms:
            s.close()
            s.unlink()


if __name__ == "__main__":
    sys.exit(main())
