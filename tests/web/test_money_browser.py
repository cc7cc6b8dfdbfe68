"""The artisanal procedure's money in Chromium: the clerk registers the application, its
first stages are walked (the application fee paid), the Regional Manager approves it through
the stage form (it waits for payment: approved, the order to pay raised), the clerk issues the
order to pay and prints it, Finance records the bank receipt for the full amount, the clerk
completes the finalisation stage, and the receipt prints. No page logs an error or fails a
request."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import sign_in, watched
from tests.web.test_browser import fill_application, shot, utm29_corners
from tests.web.walk_support import walk_committed

pytestmark = pytest.mark.browser

#: An artisanal plot near Koidu (about 0.6 ha), clear of the seeded licences.
PLOT = (-10.9704, 8.6396, -10.9697, 8.6403)
RECEIPT = "RCB-2026-0042"


def desk(browser, live_server, role: str):
    """Another person's browser (own cookies), signed in as ``role``; its problem list."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = watched(page)
    sign_in(page, role)
    page.wait_for_url("**/dashboard")
    return context, page, problems


def no_problems(page, problems: list[str]) -> None:
    """Nothing logged, failed or refused by the CSP on the page so far."""
    assert problems == [], problems
    assert page.evaluate("window.__cspViolations") == []


def complete_stage(page, name: str, note: str = "") -> None:
    """Complete the current stage ``name`` through the licence page's stage form."""
    form = page.locator("#stage-form")
    assert form.get_attribute("action").endswith(f"/stages/{name}")
    form.get_by_label("Note (optional)").fill(note)
    form.get_by_role("button", name="Complete this stage").click()


def test_order_to_pay_receipt_and_finalise(
    browser, live_server, web_register, screenshots, database_url
):
    contexts = []
    try:
        clerk_ctx, clerk, clerk_problems = desk(browser, live_server, "officer")
        contexts.append(clerk_ctx)
        # The clerk registers the artisanal application.
        clerk.goto("/licences/new")
        fill_application(
            clerk, "Moa River Miners Cooperative (cooperative)", "artisanal", commodity="Gold"
        )
        clerk.get_by_label("District (optional)").fill("Kono")
        clerk.get_by_label("Type the corners").check()
        clerk.get_by_label("Corner notation").select_option("utm29")
        clerk.get_by_label("Corners, one per line").fill(utm29_corners(*PLOT))
        clerk.get_by_role("button", name="Register application").click()
        clerk.wait_for_url(re.compile(r"/licences/\d+$"))
        licence_url = clerk.url
        code = re.search(r"AML/\d{4}/\d{4}", clerk.get_by_role("heading", level=1).inner_text())
        assert code, clerk.get_by_role("heading", level=1).inner_text()
        assert clerk.locator("#orders-table").is_visible()  # the application fee, on receipt
        no_problems(clerk, clerk_problems)

        # The first five steps walked (their documents on file, the application fee paid).
        lid = int(licence_url.rsplit("/", 1)[1])
        assert walk_committed(database_url, lid, until="verification") == (
            "application",
            "approval",
        )

        # The Regional Manager approves it: it waits for payment, the order to pay raised.
        sup_ctx, sup, sup_problems = desk(browser, live_server, "supervisor")
        contexts.append(sup_ctx)
        sup.goto(licence_url)
        complete_stage(sup, "approval", "Plot inspected; the cooperative qualifies.")
        sup.locator(".flash-success").wait_for()
        assert sup.locator("h1 .tag-approved").is_visible()
        assert "Approved, awaiting payment" in sup.locator("#money").inner_text()
        no_problems(sup, sup_problems)

        # The clerk sees what it waits for and issues the order to pay; finalising now is
        # refused with the reason.
        clerk.goto(licence_url)
        waiting = clerk.locator("#money-waiting")
        assert "Approved, awaiting payment" in waiting.inner_text()
        assert clerk.get_by_role("button", name="Finalise licence").count() == 0
        complete_stage(clerk, "order_to_pay", "Order handed to the applicant")
        clerk.locator(".flash-success").wait_for()
        complete_stage(clerk, "finalisation")
        said = clerk.locator("#stage-finalisation .field-error").inner_text()
        assert "first annual charge paid" in said and "unpaid" in said
        assert clerk.locator("h1 .tag-approved").is_visible()
        # Chromium reports the refused document's own 409 as a console error: that is the
        # refusal itself, not a fault of the page.
        refusal = [p for p in clerk_problems if "status of 409" in p and "/stages/" in p]
        assert len(refusal) == 1, clerk_problems
        clerk_problems.remove(refusal[0])
        balance = clerk.locator("#money-balance").inner_text()
        amount = re.search(r"([\d,]+\.\d\d) SLE", balance).group(1).replace(",", "")
        # ... and prints the order to pay for the first annual charge.
        clerk.locator("#orders-table tbody tr").last.get_by_role("link").click()
        clerk.wait_for_url(re.compile(r"/orders/\d+$"))
        order_number = clerk.locator("#order-number").inner_text()
        assert order_number.startswith("OP/")
        assert "at the bank" in clerk.locator("#order-where").inner_text()
        assert code.group(0) in clerk.content()
        clerk.emulate_media(media="print")
        assert clerk.locator("#order-number").is_visible()
        assert not clerk.locator(".site-header").is_visible()
        shot(clerk, screenshots, "money-order-to-pay-print")
        clerk.emulate_media(media="screen")
        no_problems(clerk, clerk_problems)

        # Finance records the bank receipt for the full amount.
        fin_ctx, fin, fin_problems = desk(browser, live_server, "finance")
        contexts.append(fin_ctx)
        assert fin.get_by_role("link", name="Finance", exact=True).is_visible()
        fin.goto(licence_url)
        fin.locator("#money").get_by_role("link", name="Record a payment").click()
        fin.wait_for_url("**/payments/new?licence_id=*")
        assert fin.get_by_label("Currency").input_value() == "SLE"
        fin.get_by_label("Amount").fill(amount)
        fin.get_by_label("Bank", exact=True).fill("Rokel Commercial Bank")
        fin.get_by_label("Receipt number").fill(RECEIPT)
        shot(fin, screenshots, "money-payment-form")
        fin.get_by_role("button", name="Record payment").click()
        fin.wait_for_url("**/payments/*/receipt")
        assert fin.locator("#receipt-number").inner_text() == RECEIPT
        assert order_number in fin.locator("#receipt-allocations").inner_text()
        no_problems(fin, fin_problems)

        # The clerk completes the finalisation stage: granted.
        clerk.goto(licence_url)
        complete_stage(clerk, "finalisation", "Receipt confirmed by Finance")
        clerk.locator(".flash-success").wait_for()
        assert "now 'granted'" in clerk.locator(".flash-success").inner_text()
        assert clerk.locator("h1 .tag-granted").is_visible()
        assert "0.00 SLE" in clerk.locator("#money-balance").inner_text()
        no_problems(clerk, clerk_problems)

        # The receipt prints: print media shows the sheet without the site's chrome.
        fin.emulate_media(media="print")
        assert fin.locator("#receipt-number").is_visible()
        assert not fin.locator("#reversal").is_visible()
        assert not fin.locator(".site-header").is_visible()
        shot(fin, screenshots, "money-receipt-print")
        pdf = fin.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 1000
        no_problems(fin, fin_problems)
    finally:
        for context in contexts:
            context.close()


def test_finance_home_and_statement_pages(browser, live_server, web_register, screenshots):
    context, fin, problems = desk(browser, live_server, "finance")
    try:
        fin.get_by_role("link", name="Finance", exact=True).click()
        fin.wait_for_url("**/finance")
        assert fin.get_by_role("heading", name="Arrears").is_visible()
        fin.goto(f"/holders/{web_register['holder2']}/statement")
        assert fin.get_by_label("Year").is_visible()
        shot(fin, screenshots, "money-statement")
        with fin.expect_download() as download:
            fin.get_by_role("link", name="Download CSV").click()
        assert download.value.suggested_filename.startswith("statement-holder-")
        no_problems(fin, problems)
    finally:
        context.close()
