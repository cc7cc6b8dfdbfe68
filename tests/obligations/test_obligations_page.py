"""The licence page's Obligations section: each period's due day, overdue ones flagged."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from cadastre.services.obligations import licence_obligations, run_obligations, waive_obligation
from cadastre.services.users import add_user
from tests.obligations.support import granted_on
from tests.page_support import PASSWORD, login


def test_the_licence_page_lists_obligations_overdue_flagged(client, empty_register, profile):
    session = empty_register
    add_user(session, "t_viewer", "viewer", password=PASSWORD)
    lic = granted_on(session, profile, "large_scale", datetime.now(UTC) - timedelta(days=400))
    today = datetime.now(UTC).date()
    run_obligations(session, profile, today)
    obligations = licence_obligations(session, lic.id)
    waived = obligations[0]
    waive_obligation(session, lic.id, waived.id, actor="sup", reason="Covered by the old deed.")
    session.commit()
    login(client, "viewer")
    html = client.get(f"/licences/{lic.id}").get_data(as_text=True)
    start = html.index('id="obligations"')
    section = html[start : html.index("</section>", start)]
    overdue = [o for o in obligations if o.status == "open" and o.due_on < today]
    assert f"{len(overdue)} overdue" in section
    rows = re.findall(r"<tr class=\"([^\"]*)\">\s*<td>([^<]+)</td>", section)
    assert len(rows) == len(obligations)
    flagged = {label for cls, label in rows if cls == "row-alert"}
    assert flagged == {o.label for o in overdue}
    assert "waived: Covered by the old deed." in section
