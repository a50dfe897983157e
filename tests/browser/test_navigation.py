"""Sign in, land on home, open a location; each user sees only the locations their role
covers; list filtering works through htmx without a page reload."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Site, sign_in

pytestmark = pytest.mark.browser


def test_manager_signs_in_and_sees_only_their_location(page: Any, site: Site) -> None:
    sign_in(page, site, "rm.oak")
    assert page.get_by_role("heading", level=1).inner_text() == "My locations"
    table = page.get_by_role("table")
    assert table.get_by_role("link", name="Oak House").is_visible()
    body = page.locator("main").inner_text()
    for hidden in ("Ash Lodge", "Riverside Home Care", "Hilltop House"):
        assert hidden not in body
    assert "Registered manager" in body

    page.get_by_role("link", name="Oak House").click()
    page.wait_for_url(f"{site.url}/locations/{site.home.uuid}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Oak House"
    assert "1-100000001" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Edit Oak House").is_visible()
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Locations").get_attribute("aria-current") == "page"
    assert nav.get_by_role("link", name="Organisation").count() == 0

    page.goto(f"{site.url}/locations/")
    listing = page.locator("#results").inner_text()
    assert "Oak House" in listing and "Ash Lodge" not in listing

    response = page.goto(f"{site.url}/locations/{site.neighbour.uuid}/")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()


def test_history_page_shows_before_and_after(page: Any, site: Site) -> None:
    sign_in(page, site, "rm.oak")
    page.goto(f"{site.url}/locations/{site.home.uuid}/")
    page.get_by_role("link", name="History of Oak House").click()
    page.wait_for_url(f"{site.url}/history/tenancy.location/{site.home.uuid}/")
    updated = page.locator("article", has_text="Updated by")
    row = updated.get_by_role("row", name="Capacity")
    assert row.inner_text().split("\t")[-2:] == ["30", "34"]


def test_administrator_sees_organisation_and_filters_with_htmx(page: Any, site: Site) -> None:
    sign_in(page, site, "admin")
    body = page.locator("main").inner_text()
    for name in ("Oak House", "Ash Lodge", "Riverside Home Care"):
        assert name in body
    assert "Hilltop House" not in body

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Locations").click()
    page.wait_for_url(f"{site.url}/locations/")
    page.evaluate("window.__marker = 'same page'")
    page.get_by_label("Name contains").fill("ash")
    page.wait_for_function(
        "!document.querySelector('#results').innerText.includes('Oak House')")
    results = page.locator("#results").inner_text()
    assert "Ash Lodge" in results and "Riverside Home Care" not in results
    assert page.evaluate("window.__marker") == "same page"     # no full reload
    assert "q=ash" in page.url                                  # the address can be shared
    assert "Showing 1–1 of 1 locations" in page.locator("#result-count").inner_text()


def test_sign_out(page: Any, site: Site) -> None:
    sign_in(page, site, "rm.oak")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{site.url}/accounts/login/")
    page.goto(f"{site.url}/")
    assert "/accounts/login/" in page.url


def test_keyboard_skip_link_and_visible_focus(page: Any, site: Site) -> None:
    sign_in(page, site, "rm.oak")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["height"] >= 24     # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.get_by_role("link", name="Oak House").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")                  # focus by keyboard so :focus-visible applies
    background = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert background == "rgb(255, 221, 0)"     # the yellow focus highlight
