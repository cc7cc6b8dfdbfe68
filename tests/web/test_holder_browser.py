"""Holders that scale, in Chromium: search as you type, the duplicate warning, the edit
form and its history, and the licence list by district; no console error on any page."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import sign_in, watched

pytestmark = pytest.mark.browser


def shot(page, screenshots, name):
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)


def test_type_part_of_a_name_and_pick_the_holder(page, web_register, screenshots):
    problems = watched(page)
    sign_in(page, "officer")
    page.wait_for_url("**/dashboard")
    page.goto("/licences/new")
    page.get_by_label("An existing holder").check()
    assert page.locator("input[name='holder_id']").count() == 0  # no list of every holder
    page.get_by_label("Find a holder").fill("moa riv")
    choice = page.get_by_label("Moa River Miners Cooperative (cooperative)")
    choice.wait_for()
    assert page.locator("input[name='holder_id']").count() == 1
    assert "1 matching holder" in page.locator("#holder-status").inner_text()
    choice.check()
    page.get_by_label("Find a holder").fill("WEB-00")  # a company's number finds it too
    page.get_by_label("Kono Diamond Works Ltd (company) · WEB-0001").wait_for()
    assert choice.is_checked()  # the chosen holder stays while searching on
    shot(page, screenshots, "holder-search-as-you-type")
    page.get_by_label("Find a holder").fill("zzzz")
    page.locator("#holder-status", has_text="No holder matches").wait_for()
    assert problems == []


def test_duplicate_warning_links_to_the_existing_holder(page, web_register, screenshots):
    problems = watched(page)
    sign_in(page, "officer")
    page.wait_for_url("**/dashboard")
    page.goto("/holders/new")
    page.get_by_label("Name").fill("kono diamond  works LTD")
    page.get_by_role("button", name="Register holder").click()
    warning = page.locator("#duplicate-warning")
    warning.wait_for()
    assert "may already be registered" in warning.inner_text()
    shot(page, screenshots, "holder-duplicate-warning")
    warning.get_by_role("link", name="Kono Diamond Works Ltd").click()
    page.wait_for_url(f"**/holders/{web_register['holder']}")
    assert problems == []


def test_edit_a_holder_and_see_it_in_its_history(page, web_register, screenshots):
    problems = watched(page)
    sign_in(page, "officer")
    page.wait_for_url("**/dashboard")
    page.goto(f"/holders/{web_register['holder2']}")
    page.get_by_role("link", name="Edit details").click()
    page.get_by_label("Phone").fill("+232 76 555000")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/holders/{web_register['holder2']}")
    history = page.locator(".timeline").inner_text()
    assert "Phone: — → +232 76 555000" in history and "by web_officer" in history
    shot(page, screenshots, "holder-edited-history")
    assert problems == []


def test_filter_the_licence_list_by_district(page, web_register, screenshots):
    problems = watched(page)
    sign_in(page, "viewer")
    page.wait_for_url("**/dashboard")
    page.goto("/licences")
    page.get_by_label("District", exact=True).select_option("Kenema")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"district=Kenema"))
    assert "0 licences found" in page.locator(".lead").inner_text()  # the seeds name none
    shot(page, screenshots, "licences-by-district")
    page.goto("/dashboard")
    page.get_by_label("District", exact=True).select_option("Kenema")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("heading", name="Dashboard: Kenema").wait_for()
    assert problems == []
