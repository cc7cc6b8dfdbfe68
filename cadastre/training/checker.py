"""Check trainees' work against the training register: each check kind is one SQL query.

Kinds (fields in the scenario file):
- ``application_registered``: a licence whose application the trainee recorded, of a type,
  optionally for a holder, in a district, under an area, with commodities, matching a task
  area's ground, inside one, clear of a starting licence, near a land border.
- ``licence_action``: the trainee took an action on a licence (their copy of a starting one,
  or the one found by an earlier task), and the licence is now as expected.
- ``order_to_pay``: an order to pay was issued on the licence (by the trainee, or a
  supervisor with ``by: supervisor``), of a kind if ``order_kind`` says.
- ``payment_recorded``: a bank receipt recorded by a Finance user (not reversed) is set
  against the licence's orders (of a kind if ``order_kind`` says), and none of them is still
  open.
- ``stage_completed``: a stage of the licence's procedure is complete (``licence_stages``):
  completed by the trainee, or with ``by_role`` by a user whose role has that role's powers
  (the trainer as supervisor, Finance).
- ``answer``: the trainee's answer equals what the register says (codes of blocking or expired
  licences, a border tier, an area) or a fixed choice (procedure knowledge).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.domain.history_words import past_tense
from cadastre.domain.lifecycle import LIVE_STATUSES
from cadastre.domain.money import format_amount
from cadastre.domain.roles import ROLES, role_allows
from cadastre.profile import Profile
from cadastre.training.reset import TrainingState
from cadastre.training.scenarios import Scenario, Task

LIVE = list(LIVE_STATUSES)
#: The trainee's own history events: the web and API record the username as the actor.
_BY_TRAINEE = "(e.actor = :u OR right(e.actor, length(:u) + 1) = ':' || :u)"


@dataclass(frozen=True)
class Result:
    """Whether one trainee has done one task, with a plain-language detail."""

    task: str
    done: bool
    detail: str
    licence_id: int | None = None
    licence_code: str | None = None


def check_trainee(
    session: Session, profile: Profile, scenario: Scenario, state: TrainingState, username: str
) -> list[Result]:
    """Every task of the scenario checked for one trainee, in order."""
    found: dict[str, Result] = {}
    results = []
    for task in scenario.tasks:
        result = _check(session, profile, scenario, state, username, task, found)
        found[task.key] = result
        results.append(result)
    return results


def progress(
    session: Session, profile: Profile, scenario: Scenario, state: TrainingState
) -> dict[str, list[Result]]:
    """Each trainee's results, as the trainer page shows them."""
    return {
        t.username: check_trainee(session, profile, scenario, state, t.username)
        for t in scenario.trainees
    }


def _check(session, profile, scenario, state, username, task: Task, found) -> Result:
    kind = task.check["kind"]
    if kind == "application_registered":
        return _application(session, scenario, state, username, task)
    if kind == "licence_action":
        return _action(session, scenario, state, username, task, found)
    if kind in MONEY_CHECKS:
        return MONEY_CHECKS[kind](session, scenario, state, username, task, found)
    if kind == "stage_completed":
        return _stage_completed(session, scenario, state, username, task, found, profile)
    return _answer(session, profile, scenario, state, username, task, found)


def _application(session, scenario: Scenario, state: TrainingState, username, task) -> Result:
    c = task.check
    where = [
        "l.licence_type = :type",
        f"EXISTS (SELECT 1 FROM licence_events e WHERE e.licence_id = l.id "
        f"AND e.action = 'apply' AND {_BY_TRAINEE})",
        "l.status = ANY(:statuses)",
    ]
    params: dict = {"u": username, "type": c["licence_type"], "statuses": c.get("statuses", LIVE)}
    if "holder" in c:
        where.append("l.holder_id = :holder")
        params["holder"] = state.holder_id(c["holder"])
    if "district" in c:
        where.append("lower(l.district) = lower(:district)")
        params["district"] = c["district"]
    if "max_area_ha" in c:
        where.append("l.area_ha <= :max_ha")
        params["max_ha"] = float(c["max_area_ha"])
    if "commodities" in c:
        where.append("l.commodities @> CAST(:commodities AS varchar[])")
        params["commodities"] = list(c["commodities"])
    if "matches_area" in c:
        # the ground differs from the surveyed plot by at most `tolerance` of the plot's area
        where.append(
            "ST_Area(ST_SymDifference(l.geom, ST_GeomFromText(:match, 4326))::geography) "
            "<= :tol * ST_Area(ST_GeomFromText(:match, 4326)::geography)"
        )
        params["match"] = scenario.area(c["matches_area"], username).wkt
        params["tol"] = float(c.get("tolerance", 0.1))
    if "within_area" in c:
        where.append(
            "ST_Within(l.geom, ST_Buffer(ST_GeomFromText(:within, 4326)::geography, 25)::geometry)"
        )
        params["within"] = scenario.area(c["within_area"], username).wkt
    if "disjoint_from" in c:
        where.append(
            "ST_Area(ST_Intersection(l.geom, (SELECT geom FROM licences WHERE id = :other))"
            "::geography) < 1"
        )
        params["other"] = state.licence_id(c["disjoint_from"], username)
        if "min_share_of_free" in c and "within_area" in c:
            where.append(
                "ST_Area(l.geom::geography) >= :share * ST_Area(ST_Difference("
                "ST_GeomFromText(:within, 4326), (SELECT geom FROM licences WHERE id = :other))"
                "::geography)"
            )
            params["share"] = float(c["min_share_of_free"])
    if "near_border" in c:
        where.append(
            "EXISTS (SELECT 1 FROM border_lines b JOIN boundary_datasets d ON d.id = b.dataset_id "
            "WHERE d.active AND :country IN (b.country_a, b.country_b) "
            "AND ST_DWithin(l.geom::geography, b.geom::geography, :metres))"
        )
        params["country"] = c["near_border"]["country"]
        params["metres"] = float(c["near_border"]["max_km"]) * 1000
    row = session.execute(
        text(
            f"SELECT l.id, l.code FROM licences l WHERE {' AND '.join(where)} ORDER BY l.id LIMIT 1"
        ),
        params,
    ).first()
    if row is not None:
        return Result(task.key, True, f"Application {row.code} recorded.", row.id, row.code)
    n = session.scalar(
        text(
            f"SELECT count(DISTINCT e.licence_id) FROM licence_events e "
            f"WHERE e.action = 'apply' AND {_BY_TRAINEE}"
        ),
        {"u": username},
    )
    return Result(task.key, False, f"No matching application yet ({n} recorded by {username}).")


def _target(state: TrainingState, username: str, check: dict, found: dict) -> int | None:
    if "licence" in check:
        return state.licence_id(check["licence"], username)
    earlier = found.get(check["of_task"])
    return earlier.licence_id if earlier else None


def task_label(scenario: Scenario, key: str) -> str:
    """A task as the sheet numbers it: 'task 2 (Record the application …)'."""
    for number, task in enumerate(scenario.tasks, 1):
        if task.key == key:
            return f"task {number} ({task.title})"
    return "the earlier task"


def _action(session, scenario: Scenario, state: TrainingState, username, task, found) -> Result:
    c = task.check
    target = _target(state, username, c, found)
    if target is None:
        return Result(task.key, False, f"Do {task_label(scenario, c.get('of_task'))} first.")
    by_supervisor = c.get("by", "trainee") == "supervisor"
    actor = f"NOT {_BY_TRAINEE}" if by_supervisor else _BY_TRAINEE
    where = [
        "l.id = :id",
        f"EXISTS (SELECT 1 FROM licence_events e WHERE e.licence_id = l.id "
        f"AND e.action = :action AND {actor})",
    ]
    params: dict = {"id": target, "action": c["action"], "u": username}
    if "status" in c:
        where.append("l.status = :status")
        params["status"] = c["status"]
    if "holder" in c:
        where.append("l.holder_id = :holder")
        params["holder"] = state.holder_id(c["holder"])
    if "max_area_ha" in c:
        where.append("l.area_ha <= :max_ha")
        params["max_ha"] = float(c["max_area_ha"])
    if c.get("within_original"):
        where.append(
            "ST_Within(l.geom, ST_Buffer(ST_GeomFromGeoJSON((SELECT (e.after->'geometry')::text "
            "FROM licence_events e WHERE e.licence_id = l.id AND e.action = 'apply' "
            "ORDER BY e.id LIMIT 1))::geography, 5)::geometry)"
        )
    row = session.execute(
        text(f"SELECT l.id, l.code FROM licences l WHERE {' AND '.join(where)}"), params
    ).first()
    code = session.scalar(text("SELECT code FROM licences WHERE id = :id"), {"id": target})
    done = past_tense(c["action"])
    if row is not None:
        who = " by a supervisor" if by_supervisor else ""
        return Result(task.key, True, f"{code}: {done}{who} as asked.", target, code)
    if by_supervisor:
        detail = f"{code}: not yet {done}; a supervisor (the trainer) decides on it."
        return Result(task.key, False, detail, target, code)
    return Result(task.key, False, f"{code}: not yet {done} as asked.", target, code)


def _order_to_pay(session, scenario: Scenario, state, username, task, found) -> Result:
    c = task.check
    target = _target(state, username, c, found)
    if target is None:
        return Result(task.key, False, f"Do {task_label(scenario, c.get('of_task'))} first.")
    by = "NOT " if c.get("by", "trainee") == "supervisor" else ""
    raised_by = _BY_TRAINEE.replace("e.actor", "o.raised_by")
    row = session.execute(
        text(
            "SELECT o.number, o.amount, o.currency FROM orders_to_pay o "
            "WHERE o.licence_id = :id AND o.status <> 'cancelled' "
            f"AND (CAST(:kind AS text) IS NULL OR o.kind = :kind) AND {by}{raised_by} "
            "ORDER BY o.id LIMIT 1"
        ),
        {"id": target, "kind": c.get("order_kind"), "u": username},
    ).first()
    code = session.scalar(text("SELECT code FROM licences WHERE id = :id"), {"id": target})
    if row is None:
        return Result(task.key, False, f"{code}: no order to pay issued yet.", target, code)
    amount = format_amount(row.amount)
    detail = f"{code}: order to pay {row.number} for {amount} {row.currency} issued."
    return Result(task.key, True, detail, target, code)


def _payment_recorded(session, scenario: Scenario, state, username, task, found) -> Result:
    c = task.check
    target = _target(state, username, c, found)
    if target is None:
        return Result(task.key, False, f"Do {task_label(scenario, c.get('of_task'))} first.")
    code = session.scalar(text("SELECT code FROM licences WHERE id = :id"), {"id": target})
    orders = session.execute(
        text(
            "SELECT count(*) AS n, count(*) FILTER (WHERE status = 'open') AS open, "
            "coalesce(sum(amount - paid) FILTER (WHERE status = 'open'), 0) AS owed, "
            "min(currency) AS currency "
            "FROM orders_to_pay WHERE licence_id = :id AND status <> 'cancelled' "
            "AND (CAST(:kind AS text) IS NULL OR kind = :kind)"
        ),
        {"id": target, "kind": c.get("order_kind")},
    ).one()
    receipt = session.scalar(
        text(
            "SELECT p.receipt_number FROM payments p "
            "JOIN users u ON u.username = p.recorded_by AND u.role = 'finance' "
            "WHERE p.amount > 0 AND p.receipt_number IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reverses_id = p.id) "
            "AND EXISTS (SELECT 1 FROM payment_allocations a JOIN orders_to_pay o "
            "ON o.id = a.order_id WHERE a.payment_id = p.id AND o.licence_id = :id "
            "AND (CAST(:kind AS text) IS NULL OR o.kind = :kind)) "
            "ORDER BY p.id LIMIT 1"
        ),
        {"id": target, "kind": c.get("order_kind")},
    )
    if orders.n == 0:
        return Result(task.key, False, f"{code}: no order to pay issued yet.", target, code)
    if receipt is None or orders.open:
        owed = f"{format_amount(orders.owed)} {orders.currency}"
        what = "no receipt recorded by Finance" if receipt is None else f"receipt {receipt}"
        detail = f"{code}: {what}; {owed} still owed."
        return Result(task.key, False, detail, target, code)
    return Result(task.key, True, f"{code}: paid, receipt {receipt}.", target, code)


def _stage_completed(session, scenario: Scenario, state, username, task, found, profile) -> Result:
    c = task.check
    target = _target(state, username, c, found)
    if target is None:
        return Result(task.key, False, f"Do {task_label(scenario, c.get('of_task'))} first.")
    lic = session.execute(
        text("SELECT code, licence_type, stage, status FROM licences WHERE id = :id"),
        {"id": target},
    ).one()
    procedure = profile.procedure(lic.licence_type)
    stage = procedure.stage(c["stage"]) if procedure else None
    if stage is None:
        return Result(task.key, False, f"{lic.code}: no stage '{c['stage']}'.", target, lic.code)
    words = f"stage {procedure.position(stage.name)} ({stage.label})"
    by_role = c.get("by_role")
    if by_role is not None:
        roles = [r for r in ROLES if role_allows(r, by_role)]
        who, params = "s.role = ANY(:roles)", {"roles": roles}
    else:
        who, params = _BY_TRAINEE.replace("e.actor", "s.completed_by"), {"u": username}
    row = session.execute(
        text(
            "SELECT s.completed_by, s.completed_at FROM licence_stages s "
            f"WHERE s.licence_id = :id AND s.stage = :stage AND {who} ORDER BY s.id LIMIT 1"
        ),
        {"id": target, "stage": stage.name, **params},
    ).first()
    if row is not None:
        detail = f"{lic.code}: {words} completed by {row.completed_by}."
        return Result(task.key, True, detail, target, lic.code)
    if by_role is not None:
        someone = "a supervisor (the trainer)" if by_role == "supervisor" else f"a {by_role} user"
        detail = f"{lic.code}: {words} not yet completed; {someone} completes it."
    else:
        detail = f"{lic.code}: {words} not yet completed."
    waiting = procedure.stage(lic.stage) if lic.status in ("application", "approved") else None
    if waiting is not None and waiting.name != stage.name:
        detail += f" The file waits at stage {procedure.position(waiting.name)} ({waiting.label})."
    return Result(task.key, False, detail, target, lic.code)


MONEY_CHECKS = {"order_to_pay": _order_to_pay, "payment_recorded": _payment_recorded}


def normalise_codes(value: str) -> list[str]:
    """Licence codes from free text: split on commas, spaces or new lines, upper-cased."""
    return sorted({v.upper() for v in re.split(r"[\s,;]+", value or "") if v})


def expected_answer(session, profile: Profile, scenario: Scenario, username, check, found):
    """What the register says the answer is (a list of codes, a tier, a number or a choice)."""
    expected = check["expected"]
    if expected == "choice":
        return check["value"]
    if expected == "blocking_codes":
        return sorted(
            session.scalars(
                text(
                    "SELECT l.code FROM licences l WHERE l.status = ANY(:live) AND "
                    "ST_Area(ST_Intersection(l.geom, ST_GeomFromText(:a, 4326))::geography) >= 1 "
                    "AND NOT EXISTS (SELECT 1 FROM licence_events e WHERE e.licence_id = l.id "
                    f"AND e.action = 'apply' AND {_BY_TRAINEE})"
                ),
                {"live": LIVE, "a": scenario.area(check["area"], username).wkt, "u": username},
            )
        )
    if expected == "expired_codes":
        return sorted(
            session.scalars(
                text(
                    "SELECT code FROM licences WHERE lower(district) = lower(:d) AND "
                    "(status = 'expired' OR (status IN ('granted', 'suspended') "
                    "AND expires_at < CURRENT_DATE))"
                ),
                {"d": check["district"]},
            )
        )
    if expected == "border_tier":
        km = session.scalar(
            text(
                "SELECT min(ST_Distance(ST_GeomFromText(:a, 4326)::geography, b.geom::geography))"
                " / 1000 FROM border_lines b JOIN boundary_datasets d ON d.id = b.dataset_id "
                "WHERE d.active AND :iso IN (b.country_a, b.country_b)"
            ),
            {"a": scenario.area(check["area"], username).wkt, "iso": profile.iso_a3},
        )
        for tier in profile.tiers:
            if km is not None and km <= tier.max_km:
                return tier.name
        return "none"
    earlier = found.get(check["of_task"])
    if earlier is None or earlier.licence_id is None:
        return None
    return session.scalar(
        text("SELECT area_ha FROM licences WHERE id = :id"), {"id": earlier.licence_id}
    )


def answer_matches(check: dict, given: str | None, expected) -> bool:
    """Does the trainee's answer equal the expected one (codes as sets, areas to 0.01 ha)?"""
    if given is None or expected is None:
        return False
    kind = check["expected"]
    if kind in ("blocking_codes", "expired_codes"):
        return normalise_codes(given) == list(expected) and bool(expected)
    if kind == "area_ha":
        try:
            return abs(float(given.replace(",", ".").replace("ha", "").strip()) - expected) <= 0.01
        except ValueError:
            return False
    return given.strip().lower() == str(expected).strip().lower()


def _answer(session, profile, scenario: Scenario, state, username, task, found) -> Result:
    given = session.scalar(
        text(
            "SELECT answer FROM training.answers "
            "WHERE username = :u AND scenario = :s AND task = :t"
        ),
        {"u": username, "s": scenario.name, "t": task.key},
    )
    if given is None:
        return Result(task.key, False, "No answer yet.")
    expected = expected_answer(session, profile, scenario, username, task.check, found)
    if answer_matches(task.check, given, expected):
        return Result(task.key, True, f"Answered: {given}")
    return Result(task.key, False, f"Answered: {given} (not what the register shows)")


def save_answer(
    session: Session, scenario: Scenario, username: str, task: str, answer: str
) -> None:
    """Store (or replace) a trainee's answer to a task."""
    session.execute(
        text(
            "INSERT INTO training.answers (username, scenario, task, answer) "
            "VALUES (:u, :s, :t, :a) ON CONFLICT (username, scenario, task) "
            "DO UPDATE SET answer = EXCLUDED.answer, at = now()"
        ),
        {"u": username, "s": scenario.name, "t": task, "a": answer},
    )
