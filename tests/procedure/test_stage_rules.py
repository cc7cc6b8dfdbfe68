"""The stage rules alone (no database): order in both directions, unknown stages, who may
complete a stage (403 naming the roles), what the file lacks (each thing named), where a
refusal may be made, and which stage a lifecycle decision completes."""

from __future__ import annotations

import pytest

from cadastre.domain.procedure import (
    Clock,
    FileFacts,
    Procedure,
    Stage,
    check_refusal,
    check_stage,
    decision_stage,
    role_stages,
)
from cadastre.errors import Conflict, Forbidden

NMA = Procedure(
    "exploration",
    (
        Stage("lodged", "Lodged", ("officer",), documents=("application_form",),
              payment="application_fee", refusal=True),
        Stage("gps_validation", "GPS validated", ("officer",), fields=("district",), refusal=True),
        Stage("board_recommendation", "Recommended", ("supervisor",), officer="Board Secretary",
              documents=("board_minutes", "survey_sheet"), refusal=True),
        Stage("decision", "Decided", ("supervisor",), action="approve", refusal=True),
        Stage("fee_paid", "Fee paid", ("finance",), payment="before_grant", refusal=True),
        Stage("issue", "Issued", ("officer",), action="finalise"),
    ),
    Clock(days=90, until="decision"),
)  # fmt: skip
FULL = FileFacts(
    documents=frozenset({"application_form", "board_minutes", "survey_sheet"}),
    fields=frozenset({"district", "holder", "commodities"}),
    paid=frozenset({"application_fee", "before_grant"}),
)
NOTHING = FileFacts()


def refused(exc_type, *args) -> Conflict | Forbidden:
    with pytest.raises(exc_type) as info:
        check_stage(NMA, *args)
    return info.value


def test_the_stage_the_file_waits_at_by_its_role_with_all_on_file():
    assert check_stage(NMA, "lodged", "lodged", "officer", FULL).name == "lodged"
    assert check_stage(NMA, "fee_paid", "fee_paid", "finance", FULL).name == "fee_paid"
    # the ladder: a supervisor (and an admin) may do an officer's stage
    assert check_stage(NMA, "gps_validation", "gps_validation", "supervisor", FULL)
    assert check_stage(NMA, "issue", "issue", "admin", FULL)


def test_a_later_stage_before_the_current_one_is_409_naming_the_current():
    err = refused(Conflict, "decision", "gps_validation", "supervisor", FULL)
    assert "cannot be completed before 'gps_validation'" in err.detail
    assert "stage 2 of 6" in err.detail
    assert err.extra == {"current_stage": "gps_validation", "stage": "decision"}


def test_an_earlier_stage_again_is_409_saying_it_is_complete():
    err = refused(Conflict, "lodged", "board_recommendation", "supervisor", FULL)
    assert "'lodged' is already complete" in err.detail
    assert "board_recommendation" in err.detail and "stage 3 of 6" in err.detail


def test_no_current_stage_is_409():
    err = refused(Conflict, "issue", None, "officer", FULL)
    assert "not waiting at any stage" in err.detail
    assert err.extra["current_stage"] is None


@pytest.mark.parametrize("name", ["survey", "LODGED", "", "lodged ", "décision"])
def test_an_unknown_stage_is_409_listing_the_stages(name):
    err = refused(Conflict, name, "lodged", "officer", FULL)
    assert "is not a stage of the exploration procedure" in err.detail
    assert err.extra["stages"] == [s.name for s in NMA.stages]
    assert err.extra["current_stage"] == "lodged"


@pytest.mark.parametrize(
    ("stage", "role", "named"),
    [
        ("board_recommendation", "officer", "'supervisor' or higher"),
        ("board_recommendation", "finance", "'supervisor' or higher"),
        ("lodged", "viewer", "'officer' or higher"),
        ("lodged", "finance", "'officer' or higher"),
        ("fee_paid", "officer", "'finance'"),
        ("fee_paid", "supervisor", "'finance'"),
        ("fee_paid", "admin", "'finance'"),
    ],
)
def test_the_wrong_role_is_403_naming_who_may(stage, role, named):
    err = refused(Forbidden, stage, stage, role, FULL)
    assert err.status == 403
    assert f"Your role '{role}'" in err.detail and named in err.detail
    assert err.extra == {"stage": stage, "roles": list(NMA.stage(stage).roles)}


def test_the_403_names_the_officer_whose_step_it_is():
    err = refused(Forbidden, "board_recommendation", "board_recommendation", "officer", FULL)
    assert "the Board Secretary's step" in err.detail


def test_order_is_checked_before_the_role():
    # out of order and the wrong role: the order is what the caller must hear first
    err = refused(Conflict, "fee_paid", "lodged", "officer", FULL)
    assert err.extra["current_stage"] == "lodged"


def test_each_missing_document_field_and_payment_is_named():
    err = refused(Conflict, "lodged", "lodged", "officer", NOTHING)
    assert err.extra["missing"] == [
        "a current 'application_form' document on file",
        "the application fee paid",
    ]
    err = refused(Conflict, "gps_validation", "gps_validation", "officer", NOTHING)
    assert err.extra["missing"] == ["the district"]
    only_minutes = FileFacts(documents=frozenset({"board_minutes"}))
    err = refused(Conflict, "board_recommendation", "board_recommendation", "supervisor",
                  only_minutes)  # fmt: skip
    assert err.extra["missing"] == ["a current 'survey_sheet' document on file"]
    assert "board_minutes" not in err.detail


def test_an_unpaid_order_is_named_with_its_amount():
    owing = FileFacts(paid=frozenset({"application_fee"}), unpaid=("OP/2026/000012 (500.00 USD)",))
    err = refused(Conflict, "fee_paid", "fee_paid", "finance", owing)
    assert err.extra["missing"] == [
        "the application fee and the first annual charge paid (unpaid: OP/2026/000012 (500.00 USD))"
    ]


def test_a_refusal_only_at_a_stage_that_allows_it():
    for stage in NMA.stages:
        if stage.refusal:
            check_refusal(NMA, stage.name)
    with pytest.raises(Conflict) as info:
        check_refusal(NMA, "issue")
    assert "may not be refused at stage 'issue'" in info.value.detail
    assert info.value.extra["refusal_stages"] == [s.name for s in NMA.stages if s.refusal]
    check_refusal(NMA, None)  # not in the procedure: the lifecycle's own rules apply


def test_a_decision_completes_the_decision_stage_the_file_waits_at():
    assert decision_stage(NMA, "decision", "approve").name == "decision"
    # a grant asked for at the approval stage approves
    assert decision_stage(NMA, "decision", "grant").name == "decision"
    assert decision_stage(NMA, "issue", "finalise").name == "issue"
    assert decision_stage(NMA, "issue", "grant").name == "issue"


@pytest.mark.parametrize(
    ("current", "action"),
    [("lodged", "grant"), ("gps_validation", "approve"), ("decision", "finalise"),
     ("fee_paid", "finalise"), ("issue", "approve"), (None, "grant")],
)  # fmt: skip
def test_a_decision_elsewhere_is_409_naming_where_the_file_waits(current, action):
    with pytest.raises(Conflict) as info:
        decision_stage(NMA, current, action)
    assert info.value.extra == {"current_stage": current, "decision_stages": ["decision", "issue"]}
    assert f"waiting at '{current}'" in info.value.detail


def test_role_stages_is_what_each_role_may_complete():
    assert role_stages([NMA], "finance") == [("exploration", "fee_paid")]
    assert role_stages([NMA], "officer") == [
        ("exploration", s) for s in ("lodged", "gps_validation", "issue")
    ]
    assert ("exploration", "fee_paid") not in role_stages([NMA], "admin")
    assert role_stages([NMA], "viewer") == []
