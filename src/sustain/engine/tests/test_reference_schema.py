"""The reference library schema: the packaged files are valid and complete, and every kind of
bad input is reported with its file, line and field."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sustain.engine.reference_schema import (
    STATUS_MARKS,
    KnownCodes,
    LibraryError,
    ParsedLibrary,
    QualityStatementsLibrary,
    RegulationsLibrary,
    check_references,
    is_verified,
    library_checksum,
    order_libraries,
    parse_library,
)

DATA = Path(__file__).resolve().parents[2] / "reference" / "data"


def _text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def _all() -> dict[str, ParsedLibrary]:
    return {p.name: parse_library(p.read_text(encoding="utf-8"), p.name)
            for p in sorted(DATA.glob("*.yaml"))}


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing `needle` (to compute expected lines)."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found")


def _error(text: str, filename: str = "lib.yaml") -> LibraryError:
    with pytest.raises(LibraryError) as info:
        parse_library(text, filename)
    return info.value


# --- the packaged library ------------------------------------------------------------------


def test_packaged_files_are_valid_and_cross_reference_each_other() -> None:
    libs = _all()
    assert set(libs) == {"key-questions.yaml", "regulations.yaml", "saf-quality-statements.yaml",
                         "ratings.yaml", "enforcement.yaml"}
    check_references(list(libs.values()))
    for lib in libs.values():
        assert lib.library.urn.startswith("urn:sustain:cqc:")
        assert lib.library.version >= 1
        assert lib.library.locale == "en-GB"
        assert lib.library.framework_version
        assert lib.library.sources


def test_34_statements_under_5_key_questions_in_cqc_distribution() -> None:
    libs = _all()
    kqs = libs["key-questions.yaml"].library
    qs = libs["saf-quality-statements.yaml"].library
    assert isinstance(qs, QualityStatementsLibrary)
    assert [k.code for k in kqs.key_questions] == [  # type: ignore[union-attr]
        "safe", "effective", "caring", "responsive", "well-led"]
    assert len(qs.quality_statements) == 34
    assert Counter(s.key_question for s in qs.quality_statements) == {
        "safe": 8, "effective": 6, "caring": 5, "responsive": 7, "well-led": 8}
    expected = [f"{p}{n}" for p, count in (("S", 8), ("E", 6), ("C", 5), ("R", 7), ("W", 8))
                for n in range(1, count + 1)]
    assert [s.code for s in qs.quality_statements] == expected
    assert len(qs.evidence_categories) == 6


def test_every_fact_keeps_its_status_mark_and_sources() -> None:
    qs = _all()["saf-quality-statements.yaml"].library
    assert isinstance(qs, QualityStatementsLibrary)
    by_code = {s.code: s for s in qs.quality_statements}
    # Marks carried over from the research notes, item by item.
    assert by_code["S1"].status == "VERIFIED_VERBATIM_CQC"
    assert by_code["S2"].status == "UNVERIFIED_SECONDARY"
    assert by_code["S8"].status == "UNVERIFIED_MEMORY"
    assert by_code["W2"].status == "VERIFIED_CQC_EVIDENCE_CATEGORY_PAGE"
    assert by_code["S1"].sources[0].url == ("https://www.cqc.org.uk/guidance-regulation/"
                                            "providers/assessment/single-assessment-framework/"
                                            "safe/learning-culture")
    assert "I feel safe and am supported to understand and manage any risks." in \
        by_code["S3"].i_statements.statements
    assert by_code["S2"].i_statements.statements == []
    assert not is_verified(by_code["S2"].i_statements.status)
    # The regulation and evidence-category mappings are tentative and say so.
    assert all(not is_verified(s.regulations.status) for s in qs.quality_statements)
    assert by_code["S3"].regulations.codes == ["RA2014-13"]
    assert all(s.sources for s in qs.quality_statements)


def test_regulations_cover_ra2014_4_to_20a_and_registration_regulation_18() -> None:
    regs = _all()["regulations.yaml"].library
    assert isinstance(regs, RegulationsLibrary)
    codes = [r.code for r in regs.regulations]
    expected = [f"RA2014-{n}" for n in ["4", "5", "6", "7", "8", "9", "9A", *map(
        str, range(10, 21)), "20A"]] + ["RR2009-18"]
    assert codes == expected
    by_code = {r.code: r for r in regs.regulations}
    assert by_code["RA2014-12"].title == "Safe care and treatment"
    assert by_code["RA2014-12"].fundamental_standard is True
    assert by_code["RA2014-4"].fundamental_standard is False
    assert len(by_code["RR2009-18"].paragraphs) >= 8


def test_dependencies_load_first() -> None:
    ordered = [p.urn for p in order_libraries(list(_all().values()))]
    qs = ordered.index("urn:sustain:cqc:saf:quality-statements")
    assert ordered.index("urn:sustain:cqc:key-questions") < qs
    assert ordered.index("urn:sustain:cqc:regulations") < qs


def test_status_marks() -> None:
    assert is_verified("VERIFIED") and is_verified("VERIFIED_VERBATIM_CQC")
    assert not is_verified("UNVERIFIED") and not is_verified("SECONDARY")
    assert not is_verified("UNVERIFIED_SECONDARY")
    assert set(STATUS_MARKS) >= {"VERIFIED", "SECONDARY", "UNVERIFIED"}


def test_checksum_identifies_content() -> None:
    text = _text("key-questions.yaml")
    assert library_checksum(text) == library_checksum(str(text))
    assert library_checksum(text) != library_checksum(text + "\n")
    assert len(library_checksum(text)) == 64


# --- bad input names file, line and field -------------------------------------------------


def test_malformed_yaml_names_file_and_line() -> None:
    text = _text("key-questions.yaml").replace("    name: Caring\n",
                                               "    name: [Caring\n", 1)
    err = _error(text, "key-questions.yaml")
    assert err.filename == "key-questions.yaml"
    # The parser notices the unclosed bracket where the next mapping key begins.
    assert _line_of(text, "name: [Caring") <= err.line <= _line_of(text, "name: [Caring") + 2
    assert "YAML syntax error" in str(err)
    assert str(err).startswith(f"key-questions.yaml:{err.line}:")


def test_unknown_field_is_reported_on_its_own_line() -> None:
    text = _text("saf-quality-statements.yaml").replace(
        "  - code: S4\n    key_question: safe\n",
        "  - code: S4\n    key_question: safe\n    colour: red\n", 1)
    err = _error(text, "qs.yaml")
    assert (err.filename, err.line) == ("qs.yaml", _line_of(text, "colour: red"))
    assert err.field == "quality_statements[3] (S4).colour"
    assert "unknown field" in str(err)


def test_missing_field_points_at_the_item() -> None:
    text = _text("regulations.yaml").replace(
        "    title: Safe care and treatment\n", "", 1)
    err = _error(text)
    assert err.field == "regulations[9] (RA2014-12).title"
    assert err.line == _line_of(text, "code: RA2014-12")
    assert "required field is missing" in str(err)


def test_wrong_type_names_the_field() -> None:
    text = _text("ratings.yaml").replace("version: 1\n", "version: one\n", 1)
    err = _error(text, "ratings.yaml")
    assert (err.line, err.field) == (_line_of(text, "version: one"), "version")


def test_unknown_status_mark_is_refused() -> None:
    text = _text("enforcement.yaml").replace("    status: VERIFIED\n",
                                             "    status: PROBABLY\n", 1)
    err = _error(text)
    assert err.line == _line_of(text, "status: PROBABLY")
    assert err.field.endswith(".status")


def test_duplicate_yaml_key_is_refused() -> None:
    text = _text("key-questions.yaml").replace("version: 1\n", "version: 1\nversion: 2\n", 1)
    err = _error(text)
    assert (err.line, err.field) == (_line_of(text, "version: 2"), "version")
    assert "duplicate key" in str(err)


def test_duplicate_item_id_is_refused() -> None:
    text = _text("saf-quality-statements.yaml").replace("  - code: S2\n", "  - code: S1\n", 1)
    err = _error(text)
    assert err.field == "quality_statements[1] (S1).code"
    assert err.line == _line_of(text, "  - code: S1", 2)
    assert "duplicate code 'S1'" in str(err)


def test_unknown_evidence_category_is_refused_with_its_line() -> None:
    text = _text("saf-quality-statements.yaml").replace(
        "        - observation\n", "        - gossip\n", 1)
    err = _error(text)
    assert err.line == _line_of(text, "- gossip")
    assert "unknown evidence category 'gossip'" in str(err)


def test_unknown_kind_and_non_mapping_files() -> None:
    err = _error(_text("ratings.yaml").replace("kind: ratings", "kind: recipes"))
    assert err.field == "kind" and "unknown kind 'recipes'" in str(err)
    err = _error("- just\n- a list\n")
    assert err.line == 1 and "mapping" in str(err)
    assert _error("").line == 1


def test_every_issue_is_listed() -> None:
    text = _text("key-questions.yaml").replace("locale: en-GB", "locale: english") \
        .replace("    name: Safe\n", "    name: Safe\n    size: 3\n", 1)
    err = _error(text)
    fields = {i.field for i in err.issues}
    assert {"locale", "key_questions[0] (safe).size"} <= fields
    assert len(str(err).splitlines()) == len(err.issues)


# --- references across files --------------------------------------------------------------


def _with_statements(text: str) -> list[ParsedLibrary]:
    libs = _all()
    libs["saf-quality-statements.yaml"] = parse_library(text, "saf-quality-statements.yaml")
    return list(libs.values())


def test_unknown_key_question_is_reported_with_file_and_line() -> None:
    text = _text("saf-quality-statements.yaml").replace(
        "key_question: caring", "key_question: kind", 1)
    with pytest.raises(LibraryError) as info:
        check_references(_with_statements(text))
    err = info.value
    assert err.filename == "saf-quality-statements.yaml"
    assert err.line == _line_of(text, "key_question: kind")
    assert err.field == "quality_statements[14] (C1).key_question"


def test_unknown_regulation_is_reported_with_file_and_line() -> None:
    text = _text("saf-quality-statements.yaml").replace(
        "        - RA2014-13\n", "        - RA2014-99\n", 1)
    with pytest.raises(LibraryError) as info:
        check_references(_with_statements(text))
    assert info.value.line == _line_of(text, "- RA2014-99")
    assert "unknown regulation 'RA2014-99'" in str(info.value)


def test_references_may_resolve_against_known_codes() -> None:
    libs = _all()
    qs = libs["saf-quality-statements.yaml"]
    kq_codes = {k.code: "urn:sustain:cqc:key-questions"
                for k in libs["key-questions.yaml"].library.key_questions}  # type: ignore
    reg_codes = {r.code: "urn:sustain:cqc:regulations"
                 for r in libs["regulations.yaml"].library.regulations}  # type: ignore
    known = KnownCodes(urns=frozenset({"urn:sustain:cqc:key-questions",
                                       "urn:sustain:cqc:regulations"}),
                       key_questions=kq_codes, regulations=reg_codes)
    check_references([qs], known)
    with pytest.raises(LibraryError) as info:
        check_references([qs])
    messages = str(info.value)
    assert "unknown library 'urn:sustain:cqc:key-questions'" in messages
    assert "unknown key question 'safe'" in messages


def test_the_same_urn_twice_and_a_redefined_anchor_are_refused() -> None:
    libs = _all()
    twin = parse_library(_text("key-questions.yaml"), "copy.yaml")
    with pytest.raises(LibraryError) as info:
        check_references([*libs.values(), twin])
    assert "also defined in key-questions.yaml" in str(info.value)
    assert info.value.filename == "copy.yaml"

    other = parse_library(_text("key-questions.yaml").replace(
        "urn:sustain:cqc:key-questions", "urn:sustain:acme:key-questions"), "acme.yaml")
    with pytest.raises(LibraryError) as info:
        check_references([*libs.values(), other])
    assert "'safe' is already defined by urn:sustain:cqc:key-questions" in str(info.value)
