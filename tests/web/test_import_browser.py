"""Browser test of the admin import page: upload a register, read the report, see its map."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cadastre.models import ImportRun, Licence
from tests.importer import samples
from tests.web.conftest import sign_in, wait_until
from tests.web.test_browser import shot

pytestmark = pytest.mark.browser


def test_admin_dry_runs_an_upload_and_sees_the_rows_on_the_map(
    page, tmp_path, screenshots, session
):
    def stored() -> tuple[int, int]:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Licence, ImportRun)
        )

    before = stored()
    sign_in(page, "admin")
    page.wait_for_url("**/dashboard")
    page.goto("/admin/import/")
    page.get_by_label("Register file").set_input_files(str(samples.kml(tmp_path)))
    page.get_by_label("As-of date (optional)").fill(samples.AS_OF)
    page.get_by_label("Dry run: check and report, change nothing").check()
    page.get_by_role("button", name="Import").click()

    report = page.locator("#report")
    report.wait_for()
    assert "Report: register.kml (dry run, nothing changed)" in report.inner_text()
    refused = page.locator("#report tr.outcome-refused")
    assert refused.count() == 4
    # titles breaking today's rules (over the area limit, overlapping) are kept, flagged
    assert page.locator("#report tr.outcome-flagged").count() == 3
    assert "Columns of the file" in report.inner_text()
    assert "lies entirely outside Sierra Leone" in report.inner_text()

    # The map draws every row that has an area, coloured by outcome.
    page.locator("#import-map canvas").wait_for()
    wait_until(
        page,
        "window.importMap && window.importMap.isStyleLoaded()"
        " && window.importMap.getLayer('rows-fill') !== undefined",
    )
    drawn = page.evaluate(
        "window.importMap.getSource('rows')._data.features.map(f => f.properties.outcome)"
    )
    assert {"imported", "flagged", "refused"} <= set(drawn)
    listed = page.locator("#report tbody tr[class^='outcome-']").count()
    assert 0 < len(drawn) <= listed
    shot(page, screenshots, "import-report")

    # A dry run changes nothing: no licence and no import run was stored.
    assert stored() == before
