"""The queues: "waiting for me" shows each role the files at a stage it completes (the
ladder: a supervisor also does an officer's stages; Finance only its own), "overdue" the files
past their decision's due day and not yet decided; both paged, due first, and by district."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from licence_support import make_holder, rect

from cadastre.queries.queue import queue_counts
from cadastre.services.applications import register_application
from cadastre.services.document_store import FileStore
from cadastre.services.lifecycle import perform_action
from cadastre.services.procedure_walk import walk_procedure

KONO = (-10.97, 8.64)
KENEMA = (-11.19, 7.88)
TODAY = datetime.now(UTC).date()


class Register:
    """Files put at a stage of their procedure, each on its own ground."""

    def __init__(self, session, profile, store):
        self.session, self.profile, self.store = session, profile, store
        self.holders = {k: make_holder(session, k, f"Queue {k}") for k in ("company", "individual")}
        self.placed = 0

    def file(self, licence_type, at, *, days_ago=0, district="Kono"):
        """An application received ``days_ago`` days ago, waiting at stage ``at`` (None: the
        whole procedure walked)."""
        lon, lat = KONO if district == "Kono" else KENEMA
        self.placed += 1
        artisanal = licence_type == "artisanal"
        lic = register_application(
            self.session, self.profile, licence_type=licence_type, commodities=["diamond"],
            holder_id=self.holders["individual" if artisanal else "company"],
            geometry=rect(lon + 0.03 * self.placed, lat, 90 if artisanal else 1000),
            actor="clerk", district=district,
            received_at=datetime.now(UTC) - timedelta(days=days_ago),
        )  # fmt: skip
        procedure = self.profile.procedure(licence_type)
        names = [s.name for s in procedure.stages]
        if at != names[0]:
            until = names[names.index(at) - 1] if at else None
            walk_procedure(self.session, self.profile, lic.id, store=self.store, until=until)
        self.session.flush()
        return lic.id


@pytest.fixture
def register(empty_register, profile, tmp_path):
    return Register(empty_register, profile, FileStore(str(tmp_path / "docs")))


def queue(client, auth, role, **query):
    r = client.get("/api/queue", query_string=query, headers=auth(role))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def ids(page) -> list[int]:
    return [item["id"] for item in page["items"]]


@pytest.fixture
def files(register, empty_register, profile):
    f = {
        "lodged_overdue": register.file("exploration", "lodged", days_ago=100),
        "board_due_today": register.file("exploration", "board_recommendation", days_ago=90),
        "fee_paid_decided": register.file("exploration", "fee_paid", days_ago=200,
                                          district="Kenema"),
        "issue": register.file("exploration", "issue", days_ago=5, district="Kenema"),
        "approval_overdue": register.file("artisanal", "approval", days_ago=91),
        "granted": register.file("exploration", None, days_ago=300),
        "refused_old": register.file("exploration", "lodged", days_ago=150),
        "withdrawn_old": register.file("artisanal", "survey", days_ago=150),
    }  # fmt: skip
    perform_action(empty_register, profile, f["refused_old"], "refuse", actor="sup",
                   reason="Incomplete.")  # fmt: skip
    perform_action(empty_register, profile, f["withdrawn_old"], "withdraw", actor="clerk")
    empty_register.commit()
    return f


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("officer", ["lodged_overdue", "issue"]),
        ("supervisor", ["lodged_overdue", "approval_overdue", "board_due_today", "issue"]),
        ("admin", ["lodged_overdue", "approval_overdue", "board_due_today", "issue"]),
        ("finance", ["fee_paid_decided"]),
        ("viewer", []),
    ],
)
def test_mine_is_the_files_at_a_stage_the_role_completes(client, auth, files, role, expected):
    page = queue(client, auth, role, queue="mine")
    assert ids(page) == [files[k] for k in expected]  # due first, the decided last
    assert page["total"] == len(expected) and page["queue"] == "mine"
    procedure_roles = {"officer": {"officer"}, "finance": {"finance"}}
    for item in page["items"]:
        assert item["status"] in ("application", "approved")
        if role in procedure_roles:
            assert set(item["roles"]) == procedure_roles[role]


def test_the_default_queue_is_mine(client, auth, files):
    assert ids(queue(client, auth, "officer")) == [files["lodged_overdue"], files["issue"]]


def test_overdue_is_past_due_and_undecided_only(client, auth, files, empty_register, profile):
    for role in ("viewer", "officer", "finance"):
        page = queue(client, auth, role, queue="overdue")
        assert ids(page) == [files["lodged_overdue"], files["approval_overdue"]]
        assert page["total"] == 2
    first, second = queue(client, auth, "viewer", queue="overdue")["items"]
    assert first["stage"] == "lodged" and first["overdue"] is True
    assert first["decision_due"] == (TODAY - timedelta(days=10)).isoformat()
    assert first["days_left"] == -10
    assert second["stage"] == "approval" and second["days_left"] == -1
    assert second["stage_label"] == "Approved by the Regional Manager"
    assert (second["stage_position"], second["stages"]) == (6, 8)
    counts = queue_counts(empty_register, profile, "supervisor", TODAY)
    assert counts == {"mine": 4, "overdue": 2}


def test_the_due_day_itself_is_not_overdue(client, auth, files):
    item = next(i for i in queue(client, auth, "supervisor")["items"]
                if i["id"] == files["board_due_today"])  # fmt: skip
    assert item["decision_due"] == TODAY.isoformat()
    assert item["days_left"] == 0 and item["overdue"] is False


def test_a_file_moves_between_queues_as_its_stages_are_done(client, auth, files):
    from tests.procedure.flow import pay, upload

    lid = files["lodged_overdue"]
    upload(client, auth, lid, "application_form")
    pay(client, auth, lid)
    r = client.post(f"/api/licences/{lid}/stages/lodged", json={}, headers=auth("officer"))
    assert r.status_code == 200, r.get_json()
    item = next(i for i in queue(client, auth, "officer")["items"] if i["id"] == lid)
    assert item["stage"] == "gps_validation" and item["stage_position"] == 2
    # still waiting for its decision: still overdue
    assert lid in ids(queue(client, auth, "viewer", queue="overdue"))
    # Finance confirms the fee: the file leaves Finance's queue for the officer's (issue)
    fee = files["fee_paid_decided"]
    pay(client, auth, fee)
    r = client.post(f"/api/licences/{fee}/stages/fee_paid", json={}, headers=auth("finance"))
    assert r.status_code == 200, r.get_json()
    assert queue(client, auth, "finance")["total"] == 0
    assert fee in ids(queue(client, auth, "officer"))
    r = client.post(f"/api/licences/{fee}/stages/issue", json={}, headers=auth("officer"))
    assert r.status_code == 200 and r.get_json()["status"] == "granted"
    assert fee not in ids(queue(client, auth, "admin"))


def test_the_district_filter(client, auth, files):
    kenema = queue(client, auth, "admin", queue="mine", district="Kenema")
    assert ids(kenema) == [files["issue"]] and kenema["total"] == 1
    kono = queue(client, auth, "admin", queue="mine", district="Kono")
    assert kono["total"] == 3 and files["issue"] not in ids(kono)
    assert queue(client, auth, "admin", queue="overdue", district="Kenema")["total"] == 0
    assert queue(client, auth, "admin", queue="mine", district="Bo")["items"] == []


def test_pages_cover_the_queue_once_in_due_order(client, auth, register, empty_register):
    made = [register.file("exploration", "lodged", days_ago=d) for d in (3, 40, 7, 95, 60, 7, 1)]
    empty_register.commit()
    seen, dues = [], []
    for offset in (0, 3, 6, 9):
        page = queue(client, auth, "officer", queue="mine", limit=3, offset=offset)
        assert page["total"] == 7 and (page["offset"], page["limit"]) == (offset, 3)
        assert len(page["items"]) == min(3, max(0, 7 - offset))
        seen += ids(page)
        dues += [item["decision_due"] for item in page["items"]]
    assert sorted(seen) == sorted(made) and len(set(seen)) == 7
    assert dues == sorted(dues)
    # equal due days in id order
    sevens = [i for i, d in zip(seen, dues, strict=True)
              if d == (TODAY - timedelta(days=7) + timedelta(days=90)).isoformat()]  # fmt: skip
    assert sevens == sorted(sevens) and len(sevens) == 2
    one = queue(client, auth, "officer", queue="overdue", limit=1)
    assert one["total"] == 1 and one["items"][0]["id"] == made[3]


def test_an_empty_register_has_empty_queues(client, auth, empty_register):
    for name in ("mine", "overdue"):
        page = queue(client, auth, "supervisor", queue=name)
        assert (page["total"], page["items"]) == (0, [])
