"""The SPC and funnel charts in a real browser (axe-core), on a minimal page holding both
kinds of figure (built by `sustain.web.tests.test_spc_charts._page_html`)."""

from __future__ import annotations

from typing import Any

import pytest

from sustain.web.tests.test_spc_charts import _page_html


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(1280, 900), (375, 812)])
def test_axe_finds_no_serious_violation(browser: Any,
                                        viewport: tuple[int, int]) -> None:
    from tests.browser.test_accessibility import _check

    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                  locale="en-GB")
    try:
        page = context.new_page()
        page.set_content(_page_html())
        assert page.locator("svg.spc-chart").count() == 2
        assert _check(page, f"charts {viewport}") == []
        # The table opens with one click on its summary.
        table = page.locator("table.spc-table").first
        assert not table.is_visible()
        page.get_by_text("Show the chart's data as a table").first.click()
        assert table.is_visible()
        # On a phone the chart keeps a readable width inside its scrollable region.
        box = page.locator("svg.spc-chart").first.bounding_box()
        assert box is not None and box["width"] >= 34 * 16 - 1
        # ... and opens on its latest point, which is on screen even on a phone.
        latest = page.locator("svg.spc-chart").first.locator("g.points > *").last
        point = latest.bounding_box()
        assert point is not None and point["x"] >= 0 and point["x"] + point["width"] <= (
            viewport[0])
    finally:
        context.close()
