"""The staged procedure in Chromium: an artisanal application taken through its eight steps
on the pages, each by its officer at their own desk (the clerk and the Mines Warden as
officers, the Regional Manager as supervisor, Finance for the payments): the documents put on
file through the licence page's form, the payments recorded on Finance's form, each stage
completed through "Complete this stage". A stage the signed-in role may not complete is not
offered, and is refused with a message when asked for anyway; a stage asked for before its
document is on file is refused beside the form. The licence ends granted; its certificate's QR
code then leads to the public check, which says the paper matches the register."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import cv2
import numpy as np
import pytest
from pypdf import PdfReader

from cadastre.services.procedure_walk import placeholder_pdf
from tests.web.conftest import sign_in, watched
from tests.web.test_browser import fill_application, shot, utm29_corners

pytestmark = pytest.mark.browser

#: An artisanal plot near Koidu (about 0.6 ha), clear of the seeded licences and of the plot
#: the money test registers.
PLOT = (-10.9604, 8.6496, -10.9597, 8.6503)
#: The eight steps in order, and who completes each (the role's desk).
STEPS = [
    ("plot_allocation", "officer"),
    ("survey", "officer"),
    ("surface_rent_agreement", "officer"),
    ("file_check", "officer"),
    ("verification", "officer"),
    ("approval", "supervisor"),
    ("order_to_pay", "officer"),
    ("finalisation", "officer"),
]
#: The documents each step needs on file, as the officer uploads them.
DOCUMENTS = {
    "survey": ("survey_sheet", "Survey sheet and sketch of the plot"),
    "surface_rent_agreement": ("surface_rent_agreement", "Surface rent agreement, signed"),
    "verification": ("environmental_management_plan", "Environmental management plan"),
}


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


def expect_refusal(problems: list[str], status: int, path_part: str) -> None:
    """Chromium reports a refused form's own 4xx document as a console error: that is the
    refusal asked for, not a fault of the page; take exactly that one off the list."""
    refusal = [p for p in problems if f"status of {status}" in p and path_part in p]
    assert len(refusal) == 1, problems
    problems.remove(refusal[0])


def stage_status(page, name: str) -> str:
    return page.locator(f"#stage-{name}").get_attribute("data-status")


def upload(page, kind: str, title: str, tmp_path) -> None:
    """Put a PDF on the file through the licence page's Documents form."""
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(placeholder_pdf(title))
    form = page.locator("#document-form")
    form.get_by_label("File (PDF, PNG or JPEG)").set_input_files(str(path))
    form.get_by_label("What it is").select_option(kind)
    form.get_by_label("Title").fill(title)
    form.get_by_role("button", name="Upload").click()
    page.locator(".flash-success", has_text=title).wait_for()
    assert title in page.locator("#documents-table").inner_text()


def complete(page, name: str, note: str) -> str:
    """Complete the current stage ``name`` through its form; the flash it answers with."""
    assert stage_status(page, name) == "current"
    form = page.locator("#stage-form")
    assert f"/stages/{name}" in form.get_attribute("action")
    form.get_by_label("Note (optional)").fill(note)
    form.get_by_role("button", name="Complete this stage").click()
    flash = page.locator(".flash-success")
    flash.wait_for()
    assert stage_status(page, name) == "complete"
    done = page.locator(f"#stage-{name} .stage-done").inner_text()
    assert note in done and "web_" in done
    return flash.inner_text()


def pay_balance(fin, licence_url: str, receipt: str) -> str:
    """Finance records the bank receipt for what the licence owes, on the payment form."""
    fin.goto(licence_url)
    balance = fin.locator("#money-balance").inner_text()
    amount = re.search(r"([\d,]+\.\d\d) SLE", balance).group(1).replace(",", "")
    assert float(amount) > 0, balance
    fin.locator("#money").get_by_role("link", name="Record a payment").click()
    fin.wait_for_url("**/payments/new?licence_id=*")
    fin.get_by_label("Amount").fill(amount)
    fin.get_by_label("Bank", exact=True).fill("Sierra Leone Commercial Bank")
    fin.get_by_label("Receipt number").fill(receipt)
    fin.get_by_role("button", name="Record payment").click()
    fin.wait_for_url("**/payments/*/receipt")
    assert fin.locator("#receipt-number").inner_text() == receipt
    return amount


def test_an_artisanal_application_through_its_eight_steps(
    browser, live_server, web_register, screenshots, tmp_path
):
    contexts = []
    try:
        clerk_ctx, clerk, clerk_problems = desk(browser, live_server, "officer")
        contexts.append(clerk_ctx)
        # The clerk registers the cooperative's application, with its district.
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
        licence_path = urlsplit(licence_url).path
        # Eight stages, the first current, the rest waiting; the decision clock shown.
        stages = clerk.locator("#stages > li")
        assert stages.count() == 8
        assert [stage_status(clerk, n) for n, _ in STEPS] == ["current"] + ["waiting"] * 7
        assert "Decision due by" in clerk.locator("#procedure-clock").inner_text()
        assert "Stage 1: Plot chosen" in clerk.locator("#stage-plot_allocation").text_content()
        # No decision button skips the procedure: the stage form instead.
        assert clerk.locator("#action-grant").count() == 0
        assert clerk.locator("#action-approve").count() == 0
        shot(clerk, screenshots, "procedure-0-registered")
        no_problems(clerk, clerk_problems)

        sup_ctx, sup, sup_problems = desk(browser, live_server, "supervisor")
        fin_ctx, fin, fin_problems = desk(browser, live_server, "finance")
        contexts += [sup_ctx, fin_ctx]
        desks = {"officer": clerk, "supervisor": sup}
        problems = {"officer": clerk_problems, "supervisor": sup_problems}

        # Finance may not complete the clerk's step: no form, a sentence saying whose it is.
        fin.goto(licence_url)
        assert fin.locator("#stage-form").count() == 0
        assert "may not complete it" in fin.locator("#stage-not-yours").inner_text()
        no_problems(fin, fin_problems)

        receipts = iter(["SLCB-2026-0101", "SLCB-2026-0102"])
        for position, (name, role) in enumerate(STEPS, 1):
            page = desks[role]
            page.goto(licence_url)
            if name == "survey":
                # Asked for before the survey sheet is on file: refused beside the form.
                page.locator("#stage-form").get_by_role(
                    "button", name="Complete this stage"
                ).click()
                refused = page.locator("#stage-survey .field-error").inner_text()
                assert "survey_sheet" in refused and "cannot be completed" in refused
                assert stage_status(page, "survey") == "current"
                expect_refusal(problems[role], 409, f"{licence_path}/stages/survey")
            if name in DOCUMENTS:
                upload(page, *DOCUMENTS[name], tmp_path)
            if name == "verification":
                # The application fee is still unpaid: the page says so; Finance pays it.
                assert "application fee" in page.locator("#stage-missing").inner_text()
                pay_balance(fin, licence_url, next(receipts))
                page.goto(licence_url)
                assert page.locator("#stage-ready").is_visible()
            if name == "approval":
                # The Regional Manager's step: not offered to the clerk, refused if asked.
                clerk.goto(licence_url)
                assert clerk.locator("#stage-form").count() == 0
                assert "supervisor" in clerk.locator("#stage-not-yours").inner_text()
                token = clerk.locator('meta[name="csrf-token"]').get_attribute("content")
                asked = clerk.request.post(
                    f"{licence_path}/stages/approval",
                    form={"stage-csrf_token": token, "stage-note": "Approved by the clerk"},
                )
                assert asked.status == 403
                assert "may not complete the stage" in asked.text()
                clerk.goto(licence_url)
                assert stage_status(clerk, "approval") == "current"
            if name == "finalisation":
                # The first annual charge, raised with the approval: Finance records it.
                assert "first annual charge" in page.locator("#stage-missing").inner_text()
                pay_balance(fin, licence_url, next(receipts))
                page.goto(licence_url)
            said = complete(page, name, f"Step {position} done at the desk of the {role}")
            assert f"stage {position} of 8 complete" in said
            if position < 8:
                assert f"stage {position + 1} of 8" in said
            shot(page, screenshots, f"procedure-{position}-{name}")
            no_problems(page, problems[role])
            if name == "approval":
                assert page.locator("h1 .tag-approved").is_visible()
                assert "Approved, awaiting payment" in page.locator("#money").inner_text()

        # Granted: every stage complete, by whom it was done, the certificate offered.
        clerk.goto(licence_url)
        assert clerk.locator("h1 .tag-granted").is_visible()
        assert [stage_status(clerk, n) for n, _ in STEPS] == ["complete"] * 8
        text = clerk.locator("#stages").inner_text()
        assert "Completed by web_supervisor" in text and "Completed by web_officer" in text
        assert "0.00 SLE" in clerk.locator("#money-balance").inner_text()
        assert clerk.get_by_role("link", name="Certificate (PDF)").is_visible()
        assert clerk.locator("#stage-form").count() == 0
        shot(clerk, screenshots, "procedure-9-granted")
        no_problems(clerk, clerk_problems)
        no_problems(sup, sup_problems)
        no_problems(fin, fin_problems)
    finally:
        for context in contexts:
            context.close()


def test_the_queue_and_the_dashboard_counts(page, web_register, screenshots):
    """The seeded artisanal application (received 95 days ago, waiting at its first stage)
    is overdue, and waits for an officer: in both of the officer's queues, linked."""
    problems = watched(page)
    sign_in(page, "officer")
    page.wait_for_url("**/dashboard")
    mine = int(page.locator("#queue-mine-count").inner_text())
    overdue = int(page.locator("#queue-overdue-count").inner_text())
    assert mine >= 1 and overdue >= 1
    assert int(page.locator("#overdue-card .stat-num").inner_text()) >= overdue
    page.locator("#queue-overdue-link").click()
    page.wait_for_url("**/queue?queue=overdue*")
    row = page.locator(f'#queue-table tr[data-licence-id="{web_register["pending"]}"]')
    assert "1 of 8: Plot chosen" in row.locator(".queue-stage").inner_text()
    assert "Moa River Miners Cooperative" in row.inner_text()
    assert "overdue" in row.inner_text()
    assert page.locator("#tab-overdue").get_attribute("aria-current") == "page"
    shot(page, screenshots, "queue-overdue")
    page.locator("#tab-mine").click()
    page.wait_for_url("**/queue?queue=mine*")
    assert page.locator("#queue-table tbody tr").count() == mine
    row = page.locator(f'#queue-table tr[data-licence-id="{web_register["pending"]}"]')
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/licences/{web_register['pending']}"))
    assert stage_status(page, "plot_allocation") == "current"
    assert page.locator("#stage-form").is_visible()
    # the district the application lacks is named as missing
    assert "district" in page.locator("#stage-missing").inner_text()
    assert problems == [], problems


def qr_url(pdf: bytes) -> str:
    """The URL in the certificate's QR code, decoded from the image embedded in the PDF."""
    for pdf_page in PdfReader(io.BytesIO(pdf)).pages:
        for embedded in pdf_page.images:
            pixels = np.array(embedded.image.convert("L"))
            text, _, _ = cv2.QRCodeDetector().detectAndDecode(pixels)
            if text:
                return text
    raise AssertionError("no QR code in the certificate")


def test_the_certificate_qr_code_leads_to_a_matching_record(
    browser, live_server, web_register, screenshots
):
    context, page, problems = desk(browser, live_server, "viewer")
    try:
        page.goto(f"/licences/{web_register['granted']}")
        link = page.get_by_role("link", name="Certificate (PDF)")
        href = link.get_attribute("href")
        # The PDF fetched in the browser's context (its cookies: a signed-in user's).
        got = page.request.get(href)
        assert got.status == 200 and got.headers["content-type"] == "application/pdf"
        pdf = got.body()
        assert pdf.startswith(b"%PDF")
        assert web_register["granted_code"] in "".join(
            p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages
        )
        url = qr_url(pdf)
        assert url.startswith(f"{live_server}/verify/{web_register['granted_code']}?d=")
        # The public check, opened from the QR code by someone not signed in.
        public = browser.new_context(viewport={"width": 390, "height": 800})
        try:
            phone = public.new_page()
            phone_problems = watched(phone)
            phone.goto(url)
            text = phone.locator("main").inner_text()
            assert "The certificate matches the register." in text
            assert web_register["granted_code"] in text
            shot(phone, screenshots, "certificate-verify")
            no_problems(phone, phone_problems)
        finally:
            public.close()
        no_problems(page, problems)
    finally:
        context.close()
