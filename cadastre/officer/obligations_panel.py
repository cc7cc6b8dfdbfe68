"""The licence page's Obligations section: each obligation with its due day (overdue flagged)
and, for an open one, the forms the signed-in user's role may use: record the receipt
(an officer; a choice among the licence's current documents of the satisfying kind), waive it
(a supervisor; the reason), issue a show-cause notice once it is overdue (a supervisor)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from cadastre.auth import WEB
from cadastre.domain.lifecycle import RIGHT_STATUSES
from cadastre.forms import options
from cadastre.forms.obligations import ReceiveForm, ShowCauseForm, WaiveForm
from cadastre.models import Licence, LicenceNotice
from cadastre.services.documents import licence_documents
from cadastre.services.obligations import licence_obligations, obligation_to_dict


def form_prefix(what: str, obligation_id: int) -> str:
    """The prefix of ``what``'s form ('receive', 'waive', 'showcause') for one obligation."""
    return f"{what}{obligation_id}"


def error_key(obligation_id: int) -> str:
    """Where a refusal's message is shown: beside the obligation's forms."""
    return f"obligation{obligation_id}"


def _unremedied_notice(session: Session, notice_id: int | None) -> bool:
    if notice_id is None:
        return False
    notice = session.get(LicenceNotice, notice_id)
    return notice is not None and notice.remedied_at is None


def obligations_context(
    session: Session, lic: Licence, today: date, extra_forms: dict | None = None
) -> dict:
    """What the Obligations section shows: the obligations (as the API gives them), each open
    one's forms (``obligation_forms[id]``: receive, waive, show_cause; absent where the role
    may not or the obligation does not allow it), and the overdue count."""
    extra_forms = extra_forms or {}
    items = [obligation_to_dict(o, today) for o in licence_obligations(session, lic.id)]
    may_receive, may_supervise = WEB.allows("officer"), WEB.allows("supervisor")
    current = [d for d in licence_documents(session, lic.id) if d.superseded_by_id is None]
    forms: dict[int, dict] = {}
    for o in items:
        if o["status"] != "open":
            continue
        mine: dict = {}
        if may_receive:
            docs = [d for d in current if d.kind == o["document_kind"]]
            if docs:
                key = form_prefix("receive", o["id"])
                form = extra_forms.get(key) or ReceiveForm(prefix=key, formdata=None)
                choices = [(str(d.id), f"Document {d.id}: {d.title}") for d in docs]
                form.document_id.choices = options([("", "Choose the document")] + choices)
                mine["receive"] = form
            else:
                mine["receive"] = None
        if may_supervise:
            key = form_prefix("waive", o["id"])
            mine["waive"] = extra_forms.get(key) or WaiveForm(prefix=key, formdata=None)
            if (
                o["overdue"]
                and lic.status in RIGHT_STATUSES
                and not _unremedied_notice(session, o["notice_id"])
            ):
                key = form_prefix("showcause", o["id"])
                mine["show_cause"] = extra_forms.get(key) or ShowCauseForm(
                    prefix=key, formdata=None
                )
        if mine:
            forms[o["id"]] = mine
    return {
        "obligations": items,
        "obligations_overdue": sum(1 for o in items if o["overdue"]),
        "obligation_forms": forms,
    }
