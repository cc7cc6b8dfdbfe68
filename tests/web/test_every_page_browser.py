"""Every HTML page, for every role: no console error, no failed request, no CSP violation.

The pages are not listed by hand: the test walks the app's URL map, fills each rule's
arguments from the seeded register (a holder, a granted licence, a pending one, an import
run, a feature of every collection), asks each URL as a browser would, and visits in
Chromium every one that answers HTML. A new page is walked as soon as it is routed; a rule
with an argument the test cannot fill fails the test, naming it.

Roles: anonymous, then each of ``domain.roles.ROLES`` signed in. A page a role may not see
answers 403 (an HTML page too, and checked the same way); a page for signed-in users sends
the anonymous visitor to sign in, and the sign-in page is checked once.
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import delete

from cadastre.app import create_app
from cadastre.config import Settings
from cadastre.db import session_factory, unit_of_work
from cadastre.domain.roles import ROLES
from cadastre.importer.service import import_register
from cadastre.models import ImportRun
from cadastre.profile import load_profile
from tests.importer import samples
from tests.web.conftest import WATCH_CSP, _failed, sign_in, wait_until

pytestmark = pytest.mark.browser

#: Blueprints the walk leaves to another test: in the register workspace the training
#: pages only redirect to /training, a separate app over its own database
#: (tests/training/test_browser.py drives it).
ELSEWHERE = {"training"}

#: A map on the page has drawn (its canvas exists and has a size).
MAPS_DRAWN = """
Array.from(document.querySelectorAll('[id$="-map"]')).every(function (el) {
  var c = el.querySelector('canvas.maplibregl-canvas');
  return c !== null && c.width > 0 && c.height > 0;
})
"""


@pytest.fixture(scope="module")
def import_run(web_register, database_url, tmp_path_factory):
    """One committed import run (its report page is a page too); removed after."""
    settings = Settings.from_env(database_url=database_url)
    profile = load_profile(settings.profile)
    folder = tmp_path_factory.mktemp("every-page")
    with unit_of_work(session_factory(database_url)) as s:
        report = import_register(
            s, profile, samples.csv_wkt(folder), as_of=date.fromisoformat(samples.AS_OF)
        )
    yield report.run_id
    with unit_of_work(session_factory(database_url)) as s:
        s.execute(delete(ImportRun).where(ImportRun.id == report.run_id))


@pytest.fixture(scope="module")
def notice(web_register, database_url):
    """One notice on the granted licence (its printable page is a page too); removed after."""
    from cadastre.models import LicenceNotice
    from cadastre.services.notices import issue_notice

    settings = Settings.from_env(database_url=database_url)
    profile = load_profile(settings.profile)
    with unit_of_work(session_factory(database_url)) as s:
        notice_id = issue_notice(
            s, profile, web_register["granted"], actor="walk", breach="Annual report overdue"
        ).id
    yield notice_id
    with unit_of_work(session_factory(database_url)) as s:
        s.execute(delete(LicenceNotice).where(LicenceNotice.id == notice_id))


@pytest.fixture(scope="module")
def money(web_register, database_url):
    """The granted licence's first order to pay (a page) and the payment that settled it
    when its procedure was walked (its receipt is a page); wiped with the register."""
    from sqlalchemy import select

    from cadastre.models import OrderToPay, Payment

    with unit_of_work(session_factory(database_url)) as s:
        order = s.scalars(
            select(OrderToPay)
            .where(OrderToPay.licence_id == web_register["granted"])
            .order_by(OrderToPay.id)
        ).first()
        payment = s.scalars(
            select(Payment)
            .where(Payment.licence_id == web_register["granted"])
            .order_by(Payment.id)
        ).first()
        assert order is not None and payment is not None
        return {"order_id": order.id, "payment_id": payment.id}


@pytest.fixture(scope="module")
def document(web_register, database_url):
    """A small PDF on the granted licence's file (its download is a URL of the walk)."""
    from cadastre.services.document_store import FileStore
    from cadastre.services.documents import Upload, add_document

    store = FileStore(Settings.from_env(database_url=database_url).documents_dir)
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    with unit_of_work(session_factory(database_url)) as s:
        doc = add_document(
            s,
            store,
            web_register["granted"],
            Upload(kind="survey_sheet", title="Survey sheet", filename="survey.pdf", data=pdf),
            actor="walk",
        )
        return doc.id


#: Pages only Finance may open: even an admin is refused them (403).
FINANCE_ONLY = {"/payments/new"}
#: Rules whose pages differ by collection (the data): walked for every collection. The
#: other collection pages share one template and are walked for the licences only.
EVERY_COLLECTION = {"ogc.items", "ogc.item"}
#: Pages of a licence in force only: an application's certificate is refused with a 409
#: page (tests/web/test_verify.py), so the walk asks for the granted licence's.
IN_FORCE_ONLY = {"officer.licence_certificate"}
#: Argument values that depend on the rule.
PER_RULE = {
    ("importer.run_download", "fmt"): ["csv", "json"],
    ("exports.export", "fmt"): ["csv"],
}


@pytest.fixture(scope="module")
def candidate_urls(web_register, import_run, notice, money, document, database_url, live_server):
    """Every GET URL of the register app, its arguments filled from the seeded data."""
    app = create_app(Settings.from_env(database_url=database_url, secret_key="walk"))
    with app.app_context():
        from cadastre.ogc.collections import all_collections

        collections = list(all_collections())
    features = {}
    for cid in collections:
        got = requests.get(f"{live_server}/collections/{cid}/items?limit=1", timeout=30).json()
        features[cid] = [str(f["id"]) for f in got["features"]][:1]
    values = {
        "holder_id": [web_register["holder"], web_register["holder2"]],
        "licence_id": [web_register["granted"], web_register["pending"]],
        "code": [web_register["granted_code"]],  # /verify/<path:code>: slashes in it
        "run_id": [import_run],
        "notice_id": [notice],
        "order_id": [money["order_id"]],
        "payment_id": [money["payment_id"]],
        "document_id": [document],
        "collection_id": collections,
        "z": [6],
        "y": [29],
        "x": [30],
        "name": ["maplibre-gl.js"],
        "filename": ["css/app.css"],
    }
    urls, unknown = [], []
    adapter = app.url_map.bind("")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint.split(".")[0] in ELSEWHERE:
            continue
        try:
            for args in _arguments(rule, values, features):
                urls.append(adapter.build(rule.endpoint, args))
        except KeyError as missing:
            unknown.append(f"{rule.rule}: {missing}")
    assert unknown == [], f"rules whose arguments the walk cannot fill: {unknown}"
    return sorted(set(urls))


def _arguments(rule, values: dict, features: dict):
    """Every filling of ``rule``'s arguments (KeyError: an argument with no values)."""
    names = sorted(rule.arguments - {"fid"})
    choices = []
    for name in names:
        options = PER_RULE.get((rule.endpoint, name)) or values[name]
        if name == "licence_id" and rule.arguments & {"notice_id", "order_id"}:
            options = options[:1]  # the notice and the order are the first (granted) licence's
        if name == "licence_id" and rule.endpoint in IN_FORCE_ONLY:
            options = options[:1]  # the granted licence (an application's is a 409 page)
        if name == "collection_id" and rule.endpoint not in EVERY_COLLECTION:
            options = ["licences"]
        choices.append(options)
    for combo in itertools.product(*choices):
        args = dict(zip(names, combo, strict=True))
        if "fid" not in rule.arguments:
            yield args
        for fid in features.get(args.get("collection_id"), []) if "fid" in rule.arguments else []:
            yield {**args, "fid": fid}


def _html_pages(context, urls: list[str]) -> list[str]:
    """The URLs that answer HTML to this browser context (its cookies), redirects followed."""
    pages = []
    for url in urls:
        response = context.request.get(url, headers={"Accept": "text/html,*/*;q=0.8"})
        if response.headers.get("content-type", "").startswith("text/html"):
            final = urlsplit(response.url)
            pages.append(final.path + (f"?{final.query}" if final.query else ""))
    return list(dict.fromkeys(pages))  # a page reached by several URLs (sign-in) once


def _watch(page, problems: list[str]) -> dict:
    document = {}

    def console(message):
        if message.type == "error":
            problems.append(f"console error: {message.text} at {message.location.get('url')}")

    def response(resp):
        if resp.request.is_navigation_request() and resp.request.frame == page.main_frame:
            document["status"] = resp.status
        elif resp.status >= 400:
            problems.append(f"failed request: {resp.status} {resp.url}")

    page.add_init_script(WATCH_CSP)
    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("response", response)
    page.on("requestfailed", lambda r: _failed(problems, r))
    return document


def _slug(role: str, path: str) -> str:
    return f"every-{role}-" + (re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "root")


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_every_page_for_every_role(browser, live_server, candidate_urls, role, screenshots):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    document = _watch(page, problems)
    try:
        if role != "anonymous":
            sign_in(page, role)
            page.wait_for_url("**/dashboard")
        pages = _html_pages(context, candidate_urls)
        assert "/login" in pages or role != "anonymous"
        assert len(pages) >= (5 if role == "anonymous" else 15), pages
        failures = {}
        for path in pages:
            problems.clear()
            document.clear()
            page.goto(path)
            page.wait_for_load_state("networkidle")
            wait_until(page, MAPS_DRAWN, 20_000)
            page.wait_for_timeout(300)  # late tile and worker errors
            status = document.get("status")
            if status == 403 and (role != "admin" or urlsplit(path).path in FINANCE_ONLY):
                # The role wall: Chromium reports the refused document itself as an error.
                problems[:] = [p for p in problems if "status of 403" not in p]
            elif status != 200:
                problems.append(f"the page answered {status}")
            violations = page.evaluate("window.__cspViolations")
            problems.extend(f"CSP violation: {v}" for v in violations)
            page.screenshot(path=str(screenshots / f"{_slug(role, path)}.png"))
            if problems:
                failures[path] = list(problems)
        assert failures == {}, failures
    finally:
        context.close()
