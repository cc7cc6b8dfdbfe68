"""Bad input to the procedure's endpoints: always a 4xx problem+json, never a 5xx, and nothing
stored."""

from __future__ import annotations

import pytest

from tests.procedure.flow import apply, state, walk_to

PROBLEM = "application/problem+json"


def problem(r, *statuses):
    assert r.status_code in statuses, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.mimetype == PROBLEM
    body = r.get_json()
    assert body["status"] == r.status_code and body["detail"]
    return body


@pytest.fixture
def lid(client, auth, company) -> int:
    return apply(client, auth, company)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("nope", 409),
        ("LODGED", 409),
        ("lodged%20", 409),
        ("d%C3%A9cision", 409),  # décision
        ("%E5%AE%A1%E6%89%B9", 409),  # 审批
        ("%F0%9F%92%8E", 409),  # an emoji
        ("%E2%80%AElodged", 409),  # a right-to-left override before the name
        ("x" * 5000, 409),
        ("lodged%00", 400),
        ("%00", 400),
        ("lod%00ged", 400),
        ("..", 409),
        ("lodged%2Fissue", 404),
    ],
)
def test_a_stage_name_that_is_no_stage(client, auth, empty_register, lid, path, status):
    before = state(client, auth, empty_register, lid)
    r = client.post(f"/api/licences/{lid}/stages/{path}", json={}, headers=auth("officer"))
    body = problem(r, status)
    if status == 409:
        assert "is not a stage of the exploration procedure" in body["detail"]
        assert len(body["detail"]) < 500  # a long name is not echoed whole
    assert state(client, auth, empty_register, lid) == before


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("\xff\xfe", "application/json", 400),
        ('{"note": "ok"}', "text/plain", 415),
        ("note=ok", "application/x-www-form-urlencoded", 415),
        ("[]", "application/json", 422),
        ('"a note"', "application/json", 422),
        ("null", "application/json", 422),
        ('{"note": 5}', "application/json", 422),
        ('{"note": ["a"]}', "application/json", 422),
        ('{"note": {"text": "a"}}', "application/json", 422),
        ('{"note": "' + "n" * 2001 + '"}', "application/json", 422),
        ('{"reason": "' + "r" * 2001 + '"}', "application/json", 422),
        ('{"note": "a\\u0000b"}', "application/json", 422),
        ('{"note": "ok", "stage": "issue"}', "application/json", 422),
        ('{"note": "' + "n" * (3 * 1024 * 1024) + '"}', "application/json", 413),
    ],
)
def test_a_body_that_is_not_a_note(client, auth, empty_register, lid, data, content_type, status):
    from tests.procedure.flow import pay, upload

    upload(client, auth, lid, "application_form")
    pay(client, auth, lid)
    before = state(client, auth, empty_register, lid)
    r = client.post(f"/api/licences/{lid}/stages/lodged", data=data, content_type=content_type,
                    headers=auth("officer"))  # fmt: skip
    problem(r, status)
    assert state(client, auth, empty_register, lid) == before


def test_a_note_at_the_limit_is_kept(client, auth, lid):
    from tests.procedure.flow import pay, upload

    upload(client, auth, lid, "application_form")
    pay(client, auth, lid)
    r = client.post(f"/api/licences/{lid}/stages/lodged", json={"note": "é" * 2000},
                    headers=auth("officer"))  # fmt: skip
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["procedure"]["stages"][0]["note"] == "é" * 2000


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/licences/2147483648/stages/lodged", 404),
        ("/api/licences/99999999999999999999999/stages/lodged", 404),
        ("/api/licences/0/stages/lodged", 404),
        ("/api/licences/-1/stages/lodged", 404),
        ("/api/licences/1e3/stages/lodged", 404),
        ("/api/licences/2147483648/procedure", 404),
        ("/api/licences/99999999999999999999999/procedure", 404),
        ("/api/licences/0/procedure", 404),
    ],
)
def test_a_licence_id_no_row_can_have(client, auth, empty_register, path, status):
    method = client.post if path.endswith("lodged") else client.get
    problem(method(path, json={} if method is client.post else None, headers=auth("officer")),
            status)  # fmt: skip


def test_a_file_past_its_procedure(client, auth, empty_register, lid):
    walk_to(client, auth, lid, "issue")
    r = client.post(f"/api/licences/{lid}/stages/issue", json={}, headers=auth("officer"))
    assert r.status_code == 200 and r.get_json()["status"] == "granted"
    for name in ("issue", "lodged", "nope"):
        before = state(client, auth, empty_register, lid)
        r = client.post(f"/api/licences/{lid}/stages/{name}", json={}, headers=auth("officer"))
        body = problem(r, 409)
        assert body["current_stage"] is None
        assert state(client, auth, empty_register, lid) == before


def test_preconditions_and_signing_in(client, auth, empty_register, lid):
    before = state(client, auth, empty_register, lid)
    url = f"/api/licences/{lid}/stages/lodged"
    problem(client.post(url, json={}), 401)
    problem(client.post(url, json={}, headers={"Authorization": "Bearer nope"}), 401)
    problem(client.post(url, json={}, headers=auth("viewer")), 403)
    for tag in ('"0-v1"', "garbage", f'"{lid}-v999"', f'W/"{lid}-v1"x'):
        r = client.post(url, json={}, headers={**auth("officer"), "If-Match": tag})
        problem(r, 412)
    problem(client.get(f"/api/licences/{lid}/procedure"), 401)
    assert state(client, auth, empty_register, lid) == before


@pytest.mark.parametrize(
    "query",
    [
        "queue=nope",
        "queue=MINE",
        "queue=" + "m" * 5000,
        "queue=mine&offset=-1",
        "queue=mine&offset=abc",
        "queue=mine&offset=1.5",
        "queue=mine&offset=%C2%B2",  # '²': a digit to isdigit(), not to int()
        "queue=mine&offset=99999999999999999999",
        "queue=mine&offset=10000001",
        "queue=overdue&limit=0",
        "queue=overdue&limit=-5",
        "queue=overdue&limit=501",
        "queue=overdue&limit=ten",
        "queue=overdue&limit=%EF%BC%95%EF%BC%90%EF%BC%90%EF%BC%90",  # full-width 5000
    ],
)
def test_a_queue_query_that_is_not_valid_is_422(client, auth, empty_register, query):
    body = problem(client.get(f"/api/queue?{query}", headers=auth("officer")), 422)
    assert body["errors"] and body["errors"][0]["field"] in ("queue", "offset", "limit")


@pytest.mark.parametrize(
    "query", ["queue=mine&district=%00", "queue=mi%00ne", "queue=mine&limit=1%00"]
)
def test_a_queue_query_with_a_nul_is_400(client, auth, empty_register, query):
    problem(client.get(f"/api/queue?{query}", headers=auth("officer")), 400)


def test_odd_but_readable_queue_queries_answer(client, auth, empty_register, lid):
    for query in ("", "queue=mine&district=" + "K" * 5000, "queue=overdue&offset=10000000",
                  "queue=mine&district=%E5%AE%A1", "queue=mine&limit=500&offset=0"):  # fmt: skip
        r = client.get(f"/api/queue?{query}", headers=auth("officer"))
        assert r.status_code == 200, (query, r.get_json())
    problem(client.get("/api/queue"), 401)
