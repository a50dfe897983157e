"""The indicator definitions library: `data/indicators.yaml`, validated on load."""

from __future__ import annotations

import functools
from pathlib import Path

from sustain.engine.indicator_schema import IndicatorLibrary, parse_indicators

LIBRARY_PATH = Path(__file__).resolve().parent / "data" / "indicators.yaml"


def parse_library(text: str, filename: str) -> IndicatorLibrary:
    from sustain.indicators.compute import COMPUTATIONS

    return parse_indicators(text, filename, computations=COMPUTATIONS.keys())


@functools.cache
def load_library() -> IndicatorLibrary:
    """The shipped library (raises `LibraryError` naming file, line and field when invalid)."""
    return parse_library(LIBRARY_PATH.read_text(encoding="utf-8"), str(LIBRARY_PATH))
