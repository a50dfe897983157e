"""`sustain spc INPUT.csv -o OUTPUT.csv`: Making Data Count XmR charts for many series at once.

Input columns `series,period,value,improvement` (+ optional `target`, `rebase`); `period` is an
integer or an ISO date (YYYY-MM-DD or YYYY-MM), increasing within each series (a series' rows
may be interleaved with other series' rows). Output: every input row, in input order, plus
`mean,lpl,upl,point_type,rule`. `--summary FILE` writes one row per series: the latest point
type, variation icon, assurance icon (from the latest non-blank target), trial limits and
insufficient variation.

Bad rows are reported by their line as a spreadsheet shows it (the header is line 1) and the run
fails without writing any output file. Needs no database. See docs/guide/spc.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import tempfile
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sustain.engine.spc import (
    ASSURANCE_NAMES,
    DIRECTION_WORDS,
    POINT_TYPE_NAMES,
    RULE_NAMES,
    VARIATION_ICON_NAMES,
    SPCOptions,
    spc_batch,
    summarise,
)

REQUIRED = ("series", "period", "value", "improvement")
OPTIONAL = ("target", "rebase")
MAX_REPORTED = 50
REBASE_WORDS = {"": False, "0": False, "1": True, "false": False, "true": True,
                "no": False, "yes": True}


class InputError(Exception):
    def __init__(self, problems: list[str], more: int = 0) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
        self.more = more


def _period_key(text: str) -> tuple[int, int]:
    """(kind, sortable int): 0 for integers, 1 for dates (ordinal)."""
    text = text.strip()
    try:
        return 0, int(text)
    except ValueError:
        pass
    if len(text) == 7:  # YYYY-MM
        text = f"{text}-01"
    return 1, dt.date.fromisoformat(text).toordinal()


class Parsed:
    def __init__(self) -> None:
        self.header: list[str] = []
        self.values = array("d")
        self.series_id = array("q")
        self.rebase = array("b")
        self.names: list[str] = []
        self.improvement: list[int] = []
        self.target: list[float] = []
        self.count: list[int] = []


def parse(handle: TextIO) -> Parsed:
    """Read the CSV into arrays; raise InputError naming every bad line (up to 50)."""
    reader = csv.reader(handle)
    out = Parsed()
    problems: list[str] = []
    more = 0

    def problem(line: int, text: str) -> None:
        nonlocal more
        if len(problems) < MAX_REPORTED:
            problems.append(f"line {line}: {text}")
        else:
            more += 1

    header = next(reader, None)
    if header is None:
        raise InputError(["line 1: the file is empty (expected a header row)"])
    header = [h.strip().lstrip("\ufeff").lower() for h in header]
    out.header = header
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError([f"line 1: missing column{'s' if len(missing) > 1 else ''} "
                          + ", ".join(missing)])
    col = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
    i_series, i_period, i_value, i_imp = (col[c] for c in REQUIRED)
    i_target, i_rebase = col.get("target"), col.get("rebase")
    width = len(header)
    index: dict[str, int] = {}
    last: list[tuple[int, int, int]] = []  # per series: (kind, period key, line)

    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank rows are skipped (they still count for line numbers)
        if len(row) != width:
            problem(number, f"expected {width} columns, found {len(row)}")
            continue
        name = row[i_series].strip()
        if not name:
            problem(number, "series is blank")
            continue
        word = row[i_imp].strip().lower()
        direction = DIRECTION_WORDS.get(word)
        if direction is None:
            problem(number, f"improvement {row[i_imp]!r} is not increase, decrease or neutral")
            continue
        try:
            value = float(row[i_value])
        except ValueError:
            problem(number, f"value {row[i_value]!r} is not a number")
            continue
        if not math.isfinite(value):
            problem(number, f"value {row[i_value]!r} is not a finite number")
            continue
        try:
            kind, key = _period_key(row[i_period])
        except ValueError:
            problem(number, f"period {row[i_period]!r} is not an integer or an ISO date")
            continue
        target = math.nan
        if i_target is not None and row[i_target].strip():
            try:
                target = float(row[i_target])
            except ValueError:
                problem(number, f"target {row[i_target]!r} is not a number")
                continue
        flag = False
        if i_rebase is not None:
            parsed_flag = REBASE_WORDS.get(row[i_rebase].strip().lower())
            if parsed_flag is None:
                problem(number, f"rebase {row[i_rebase]!r} is not 0 or 1")
                continue
            flag = parsed_flag
        sid = index.get(name)
        if sid is None:
            sid = index[name] = len(out.names)
            out.names.append(name)
            out.improvement.append(direction)
            out.target.append(math.nan)
            out.count.append(0)
            last.append((kind, key, number))
        else:
            prev_kind, prev_key, prev_line = last[sid]
            if direction != out.improvement[sid]:
                problem(number, f"improvement {word!r} differs from earlier rows of series "
                        f"{name!r}")
                continue
            if kind != prev_kind:
                problem(number, f"period {row[i_period]!r} mixes integers and dates in "
                        f"series {name!r}")
                continue
            if key == prev_key:
                problem(number, f"duplicate period {row[i_period]!r} in series {name!r} "
                        f"(also on line {prev_line})")
                continue
            if key < prev_key:
                problem(number, f"period {row[i_period]!r} is before the previous period of "
                        f"series {name!r} (line {prev_line}); sort each series by period")
                continue
            last[sid] = (kind, key, number)
        if not math.isnan(target):
            out.target[sid] = target
        out.values.append(value)
        out.series_id.append(sid)
        out.rebase.append(flag)
        out.count[sid] += 1
    if problems:
        raise InputError(problems, more)
    return out


def _fmt(x: float) -> str:
    return "" if math.isnan(x) else repr(float(x))


@contextmanager
def _atomic(path: Path) -> Iterator[tuple[TextIO, list[Any]]]:
    """Yield a temporary file beside `path` and a list to which the caller appends a commit
    callback; the caller renames only once everything succeeded."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    ok: list[Any] = []
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            yield fh, ok
    except BaseException:
        os.unlink(tmp)
        raise
    ok.append(tmp)


class Command(BaseCommand):
    help = "Making Data Count XmR charts (NHSRplotthedots rules) for every series in a CSV file."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="CSV with columns series,period,value,improvement "
                            "(optional target, rebase)")
        parser.add_argument("-o", "--output", required=True, help="CSV to write")
        parser.add_argument("--summary", help="also write one row per series to this CSV")
        parser.add_argument("--no-screen", action="store_true",
                            help="do not screen large moving ranges (as the MDC Excel tool)")
        parser.add_argument("--shift-n", type=int, default=7, help="points in a shift (7)")
        parser.add_argument("--trend-n", type=int, default=7, help="points in a trend (7)")
        parser.add_argument("--fix-after", type=int, default=None,
                            help="fix the limits on the first N points of each group (N ≥ 12)")
        parser.add_argument("--rules", choices=("ptd", "mdc2023"), default="ptd",
                            help="ptd: NHSRplotthedots 0.2.2; mdc2023: November 2023 2σ rule")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            options = SPCOptions(screen=not opts["no_screen"], shift_n=opts["shift_n"],
                                 trend_n=opts["trend_n"], fix_after=opts["fix_after"],
                                 rules=opts["rules"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        source = Path(opts["input"])
        output = Path(opts["output"])
        summary_path = Path(opts["summary"]) if opts.get("summary") else None
        try:
            with source.open(newline="", encoding="utf-8-sig") as fh:
                parsed = parse(fh)
        except OSError as exc:
            raise CommandError(f"cannot read {source}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{source} is not UTF-8 text: {exc}") from exc
        except InputError as exc:
            tail = f"\n… and {exc.more} more" if exc.more else ""
            raise CommandError(f"{source}: {len(exc.problems) + exc.more} bad row(s), "
                               f"nothing written:\n" + "\n".join(exc.problems) + tail) from exc

        sid = np.frombuffer(parsed.series_id, dtype=np.int64)
        order = np.argsort(sid, kind="stable")  # series after series, period order kept
        values = np.frombuffer(parsed.values, dtype=np.float64)[order]
        rebase = np.frombuffer(parsed.rebase, dtype=np.int8)[order].astype(np.bool_)
        counts = np.array(parsed.count, dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        improvement = np.array(parsed.improvement, dtype=np.int8)
        result = spc_batch(values, offsets, improvement, rebase=rebase, options=options)
        position = np.empty_like(order)
        position[order] = np.arange(order.shape[0])  # input row -> result position
        g = result.groups
        group = np.repeat(np.arange(g.length.shape[0]), g.length)[position]
        # limits are per group: format each group's once
        limits = [f"{_fmt(m)},{_fmt(lo)},{_fmt(hi)}"
                  for m, lo, hi in zip(g.mean.tolist(), g.lpl.tolist(), g.upl.tolist(),
                                       strict=True)]
        ptype = result.point_type[position]
        rule = result.rule[position]

        done: list[str] = []
        try:
            with _atomic(output) as (out, ok_out):
                self._write_rows(source, out, limits, group, ptype, rule)
            done.extend(ok_out)
            if summary_path is not None:
                with _atomic(summary_path) as (sfh, ok_sum):
                    self._write_summary(sfh, parsed, result, improvement)
                done.extend(ok_sum)
        except BaseException:
            for tmp in done:
                os.unlink(tmp)
            raise
        os.replace(done[0], output)
        if summary_path is not None:
            os.replace(done[1], summary_path)
        self.stdout.write(f"{len(values)} points in {len(parsed.names)} series written to "
                          f"{output}" + (f"; summary in {summary_path}" if summary_path else ""))

    def _write_rows(self, source: Path, out: TextIO, limits: list[str], group: Any, ptype: Any,
                    rule: Any) -> None:
        """Every input row (blank rows skipped, as when parsing) plus the SPC columns."""
        writer = csv.writer(out, lineterminator="\n")
        tails = [f"{name},{r}" for name in POINT_TYPE_NAMES for r in RULE_NAMES]
        code = (ptype.astype(np.int64) * len(RULE_NAMES) + rule).tolist()
        groups = group.tolist()
        with source.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            writer.writerow([*header, "mean", "lpl", "upl", "point_type", "rule"])
            i = 0
            buffer = io.StringIO()
            row_writer = csv.writer(buffer, lineterminator="")
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                buffer.seek(0)
                buffer.truncate()
                row_writer.writerow(row)
                out.write(f"{buffer.getvalue()},{limits[groups[i]]},{tails[code[i]]}\n")
                i += 1

    def _write_summary(self, out: TextIO, parsed: Parsed, result: Any, improvement: Any) -> None:
        target = np.array(parsed.target, dtype=np.float64)
        s = summarise(result, improvement, target)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["series", "n", "latest_point_type", "variation_icon", "assurance",
                         "trial", "insufficient_variation", "mean", "lpl", "upl"])
        for i, name in enumerate(parsed.names):
            writer.writerow([name, int(s.n[i]), POINT_TYPE_NAMES[s.latest_point_type[i]],
                             VARIATION_ICON_NAMES[s.variation_icon[i]],
                             ASSURANCE_NAMES[s.assurance[i]],
                             int(bool(s.trial[i])), int(bool(s.insufficient_variation[i])),
                             _fmt(s.mean[i]), _fmt(s.lpl[i]), _fmt(s.upl[i])])
