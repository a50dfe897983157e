"""`sustain spc`: the bulk CSV command (no database), its output, summary and refusals."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sustain.engine.spc import spc_series

FIFTEEN = [10, 12, 11, 13, 12, 11, 10, 12, 30, 11, 12, 13, 12, 11, 12]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def interleaved(tmp_path: Path) -> Path:
    lines = ["series,period,value,improvement,target,rebase"]
    for i, v in enumerate(FIFTEEN):
        lines.append(f"falls,{i + 1},{v},increase,{'20' if i == 14 else ''},0")
        month = f"2025-{i % 12 + 1:02d}-01" if i < 12 else f"2026-{i - 11:02d}-01"
        lines.append(f"errors,{month},{v},decrease,,0")
    lines.append("short,1,5,neutral,,")
    return write(tmp_path / "in.csv", "\n".join(lines) + "\n")


def test_writes_every_row_with_limits_and_labels_in_input_order(tmp_path: Path) -> None:
    src = interleaved(tmp_path)
    out = tmp_path / "out.csv"
    summary = tmp_path / "summary.csv"
    call_command("spc", str(src), "-o", str(out), "--summary", str(summary))
    rows = read(out)
    assert len(rows) == 31
    assert [r["series"] for r in rows[:4]] == ["falls", "errors", "falls", "errors"]
    expected = spc_series([float(v) for v in FIFTEEN], "increase")
    falls = [r for r in rows if r["series"] == "falls"]
    errors = [r for r in rows if r["series"] == "errors"]
    for row, point in zip(falls, expected.points, strict=True):
        assert float(row["mean"]) == pytest.approx(point.mean)
        assert float(row["upl"]) == pytest.approx(point.upl)
        assert row["point_type"] == point.point_type
        assert row["rule"] == point.rule
    assert falls[8]["point_type"] == "special_cause_improvement"
    assert errors[8]["point_type"] == "special_cause_concern"  # lower is better there
    assert falls[8]["rule"] == errors[8]["rule"] == "outside_limits"
    short = [r for r in rows if r["series"] == "short"][0]
    assert short["upl"] == "" and short["point_type"] == "common_cause"
    by_series = {r["series"]: r for r in read(summary)}
    assert by_series["falls"]["n"] == "15"
    assert by_series["falls"]["assurance"] == "consistent_fail"  # target 20 above the UPL
    assert by_series["falls"]["variation_icon"] == "common_cause"
    assert by_series["falls"]["trial"] == "0"
    assert by_series["errors"]["assurance"] == "none"
    assert by_series["short"]["trial"] == "1"


def test_options_reach_the_engine(tmp_path: Path) -> None:
    src = interleaved(tmp_path)
    out = tmp_path / "out.csv"
    call_command("spc", str(src), "-o", str(out), "--no-screen", "--rules", "mdc2023",
                 "--shift-n", "6", "--trend-n", "6", "--fix-after", "12")
    falls = [r for r in read(out) if r["series"] == "falls"]
    base = [float(v) for v in FIFTEEN[:12]]
    mean = sum(base) / 12
    amr = sum(abs(base[i] - base[i - 1]) for i in range(1, 12)) / 11  # unscreened
    assert float(falls[0]["mean"]) == pytest.approx(mean)
    assert float(falls[-1]["upl"]) == pytest.approx(mean + 2.66 * amr)
    with pytest.raises(CommandError, match="at least 12"):
        call_command("spc", str(src), "-o", str(out), "--fix-after", "5")


def test_rebase_column_starts_new_limits(tmp_path: Path) -> None:
    lines = ["series,period,value,improvement,rebase"]
    values = [1, 3] * 6 + [11, 13] * 6
    for i, v in enumerate(values):
        lines.append(f"s,{i},{v},increase,{1 if i == 12 else 0}")
    src = write(tmp_path / "in.csv", "\n".join(lines) + "\n")
    out = tmp_path / "out.csv"
    call_command("spc", str(src), "-o", str(out))
    rows = read(out)
    assert float(rows[0]["mean"]) == pytest.approx(2.0)
    assert float(rows[-1]["mean"]) == pytest.approx(12.0)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("s,1,ten,increase\n", "line 3: value 'ten' is not a number"),
        ("s,1,nan,increase\n", "line 3: value 'nan' is not a finite number"),
        ("s,1,5,higher\n", "line 3: improvement 'higher' is not increase"),
        ("s,0,5,increase\n", "line 3: duplicate period '0' in series 's' (also on line 2)"),
        ("s,-1,5,increase\n", "line 3: period '-1' is before the previous period"),
        ("s,2025-13-01,5,increase\n", "line 3: period '2025-13-01' is not an integer or an ISO"),
        ("s,1,5,decrease\n", "line 3: improvement 'decrease' differs"),
        ("s,1,5\n", "line 3: expected 4 columns, found 3"),
    ],
)
def test_bad_rows_are_reported_by_line_and_nothing_is_written(
    tmp_path: Path, body: str, message: str
) -> None:
    src = write(tmp_path / "in.csv", "series,period,value,improvement\ns,0,4,increase\n" + body)
    out = tmp_path / "out.csv"
    summary = tmp_path / "summary.csv"
    with pytest.raises(CommandError) as err:
        call_command("spc", str(src), "-o", str(out), "--summary", str(summary))
    assert message in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_missing_column_is_reported_on_line_one_and_old_output_is_kept(tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "series,period,value\ns,1,2\n")
    out = write(tmp_path / "out.csv", "earlier result\n")
    with pytest.raises(CommandError, match="line 1: missing column improvement"):
        call_command("spc", str(src), "-o", str(out))
    assert out.read_text() == "earlier result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_every_bad_line_is_listed(tmp_path: Path) -> None:
    body = "".join(f"s{i},1,x,increase\n" for i in range(3))
    src = write(tmp_path / "in.csv", "series,period,value,improvement\n\n" + body)
    with pytest.raises(CommandError) as err:
        call_command("spc", str(src), "-o", str(tmp_path / "out.csv"))
    text = str(err.value)
    assert "3 bad row(s)" in text
    assert all(f"line {n}:" in text for n in (3, 4, 5))  # the blank line 2 is skipped


def test_blank_rows_are_skipped_and_the_output_stays_aligned(tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "series,period,value,improvement\na,1,1,increase\n,,,\n"
                "b,1,5,increase\n\na,2,3,increase\n")
    out = tmp_path / "out.csv"
    call_command("spc", str(src), "-o", str(out))
    rows = read(out)
    assert [(r["series"], r["mean"]) for r in rows] == [("a", "2.0"), ("b", "5.0"), ("a", "2.0")]


def test_six_point_option_changes_the_labels(tmp_path: Path) -> None:
    values = [1, 9, 2, 8, 1, 1, 6, 6.5, 6, 6.5, 6, 6.5, 1, 9, 2]  # six in a row above the mean
    lines = ["series,period,value,improvement"] + [
        f"s,{i},{v},increase" for i, v in enumerate(values)]
    src = write(tmp_path / "in.csv", "\n".join(lines) + "\n")
    out = tmp_path / "out.csv"
    call_command("spc", str(src), "-o", str(out))
    assert [r["rule"] for r in read(out)][6:12] == ["none"] * 6
    call_command("spc", str(src), "-o", str(out), "--shift-n", "6")
    assert [r["rule"] for r in read(out)][6:12] == ["shift"] * 6
