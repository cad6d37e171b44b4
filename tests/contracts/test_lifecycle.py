"""The contract lifecycle: the whole transition matrix, the guards, the event log and disputes."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import TRANSITIONS, Contract, ContractEvent, ContractStatus, LegalityReview
from contracts.services import lifecycle, milestones
from ledger.errors import Conflict, IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from ledger.models import EntryKind
from ledger.services.obligations import payment_record
from tests.contracts import helpers as h

S = ContractStatus
MATRIX = [(f, t) for f in S.values for t in S.values]
STEP_ON = date(2026, 7, 1)  # after every step of the set-up


def _reason_code(frm: str) -> str:
    return "not_concluded" if frm in (S.DRAFT, S.LEGALITY_REVIEW) else "mutual_agreement"


@pytest.mark.django_db
@pytest.mark.parametrize(("frm", "to"), MATRIX, ids=[f"{f}->{t}" for f, t in MATRIX])
def test_transition_matrix(world, frm, to):
    # given a contract in `frm` whose guards would all pass
    contract = h.in_state(world, frm)
    events = ContractEvent.objects.filter(contract=contract).count()
    allowed = to in TRANSITIONS[frm]
    # when the one status-assigning function is asked to move it to `to`
    move = {
        "actor": world.staff_a,
        "contract": contract,
        "to": to,
        "on": STEP_ON,
        "reason": "理由",
        "reason_code": _reason_code(frm),
    }
    if allowed:
        result = lifecycle.contract_transition(**move)
        # then it moves, and the step is recorded with actor, date and reason
        assert Contract.objects.get(pk=contract.pk).status == to == result.status
        event = ContractEvent.objects.filter(contract=contract).latest("id")
        assert (event.from_status, event.to_status, event.on, event.actor, event.reason) == (
            frm,
            to,
            STEP_ON,
            world.staff_a,
            "理由",
        )
    else:
        with pytest.raises(IllegalTransition) as caught:
            lifecycle.contract_transition(**move)
        # then it is a 409 and nothing is written
        assert caught.value.status == 409
        assert caught.value.code == "illegal_transition"
        assert Contract.objects.get(pk=contract.pk).status == frm
        assert ContractEvent.objects.filter(contract=contract).count() == events


def test_the_table_covers_every_state_and_final_states_are_final():
    assert set(TRANSITIONS) == set(S.values)
    assert TRANSITIONS[S.COMPLETED] == frozenset()
    assert TRANSITIONS[S.TERMINATED] == frozenset()
    assert all(targets <= set(S.values) for targets in TRANSITIONS.values())


@pytest.mark.django_db
def test_the_whole_happy_path_stamps_each_date_and_logs_each_step(world):
    # given / when
    contract = h.in_state(world, S.COMPLETED)
    # then
    assert (contract.signed_on, contract.filed_on, contract.performing_on, contract.completed_on) == (
        h.SIGNED,
        h.FILED,
        h.PERFORMING,
        h.COMPLETED,
    )
    steps = list(ContractEvent.objects.filter(contract=contract).values_list("kind", "from_status", "to_status", "on"))
    assert steps == [
        ("transition", "draft", "legality_review", h.SUBMITTED),
        ("review", "", "", h.REVIEWED),
        ("transition", "legality_review", "signed", h.SIGNED),
        ("transition", "signed", "filed", h.FILED),
        ("transition", "filed", "performing", h.PERFORMING),
        ("transition", "performing", "completed", h.COMPLETED),
    ]
    assert contract.review_round == 1
    # and every version of the row is in its history
    statuses = [r.status for r in contract.history.order_by("history_date", "history_id")]
    assert statuses == ["draft", "legality_review", "signed", "filed", "performing", "completed"]


@pytest.mark.django_db
def test_no_signing_without_a_legality_review(world):
    # given a contract submitted but not yet reviewed
    contract = h.in_review(world)
    # when / then
    with pytest.raises(IllegalTransition) as caught:
        lifecycle.contract_sign(actor=world.staff_a, contract=contract, signed_on=h.SIGNED)
    assert caught.value.code == "legality_review_required"
    assert Contract.objects.get(pk=contract.pk).status == S.LEGALITY_REVIEW


@pytest.mark.django_db
def test_a_failed_review_blocks_signing_until_a_new_round_passes(world):
    # given a failed review
    contract = h.reviewed(world, result="failed")
    with pytest.raises(IllegalTransition) as caught:
        lifecycle.contract_sign(actor=world.staff_a, contract=contract, signed_on=h.SIGNED)
    assert caught.value.code == "legality_review_required"
    # when the agency returns it to draft, resubmits and it passes
    contract = lifecycle.contract_return_to_draft(
        actor=world.staff_a, contract=contract, on=date(2026, 1, 4), reason="按审查意见修改"
    )
    contract = lifecycle.contract_submit_for_review(actor=world.staff_a, contract=contract, on=date(2026, 1, 4))
    lifecycle.contract_review_record(
        actor=world.supervisor,
        contract=contract,
        reviewer="区司法局",
        opinion="修改后符合规定",
        result="passed",
        reviewed_on=date(2026, 1, 5),
    )
    contract = lifecycle.contract_sign(actor=world.staff_a, contract=contract, signed_on=date(2026, 1, 6))
    # then
    assert contract.status == S.SIGNED
    assert contract.review_round == 2
    assert list(LegalityReview.objects.filter(contract=contract).values_list("round", "result")) == [
        (1, "failed"),
        (2, "passed"),
    ]


@pytest.mark.django_db
def test_one_review_per_round_and_only_while_in_review(world):
    contract = h.reviewed(world)
    with pytest.raises(Conflict) as caught:
        lifecycle.contract_review_record(
            actor=world.staff_a, contract=contract, reviewer="x", opinion="y", result="passed", reviewed_on=h.REVIEWED
        )
    assert caught.value.code == "review_already_recorded"
    draft = h.new_contract(world)
    with pytest.raises(IllegalTransition) as caught:
        lifecycle.contract_review_record(
            actor=world.staff_a, contract=draft, reviewer="x", opinion="y", result="passed", reviewed_on=h.REVIEWED
        )
    assert caught.value.code == "not_in_review"
    assert LegalityReview.objects.filter(contract=draft).count() == 0


@pytest.mark.django_db
def test_signing_before_the_review_date_is_refused(world):
    contract = h.reviewed(world)
    with pytest.raises(ValidationFailed) as caught:
        lifecycle.contract_sign(actor=world.staff_a, contract=contract, signed_on=date(2026, 1, 2))
    assert caught.value.fields == {"signed_on": ["日期不得早于该合同上一步骤的日期2026-01-03"]}
    assert Contract.objects.get(pk=contract.pk).signed_on is None


@pytest.mark.django_db
def test_a_step_dated_before_the_previous_one_or_in_the_future_is_refused(world):
    contract = h.signed(world)
    with pytest.raises(ValidationFailed) as caught:
        lifecycle.contract_file(actor=world.staff_a, contract=contract, filed_on=date(2026, 1, 4))
    assert caught.value.code == "before_previous_step"
    assert list(caught.value.fields) == ["filed_on"]
    with pytest.raises(ValidationFailed) as caught:
        lifecycle.contract_file(actor=world.staff_a, contract=contract, filed_on=date(2099, 1, 1))
    assert caught.value.code == "future_date"
    assert Contract.objects.get(pk=contract.pk).status == S.SIGNED


@pytest.mark.django_db
def test_no_completion_while_a_government_payment_is_not_triggered_or_unpaid(world):
    # given a performing contract with a payment milestone not yet triggered
    contract = h.performing(world)
    milestone = h.payment_milestone(world, contract, title="首付款")
    # when / then: not yet triggered
    with pytest.raises(IllegalTransition) as caught:
        lifecycle.contract_complete(actor=world.staff_a, contract=contract, on=h.COMPLETED)
    assert caught.value.code == "payment_milestones_unpaid"
    assert "首付款" in caught.value.detail
    # triggered and half paid: still refused
    milestone = milestones.milestone_record_trigger(
        actor=world.staff_a, milestone=milestone, event="delivery", on=date(2026, 2, 2)
    )
    payment_record(
        actor=world.staff_a,
        obligation=milestone.obligation,
        kind=EntryKind.PAYMENT,
        on=date(2026, 2, 20),
        amount=Decimal("100000.00"),
    )
    with pytest.raises(IllegalTransition):
        lifecycle.contract_complete(actor=world.staff_a, contract=contract, on=h.COMPLETED)
    assert Contract.objects.get(pk=contract.pk).status == S.PERFORMING
    # paid off: completion goes through
    payment_record(
        actor=world.staff_a,
        obligation=milestone.obligation,
        kind=EntryKind.PAYMENT,
        on=date(2026, 3, 1),
        amount=Decimal("100000.00"),
    )
    done = lifecycle.contract_complete(actor=world.staff_a, contract=contract, on=h.COMPLETED)
    assert done.status == S.COMPLETED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "reason_code", "field", "code"),
    [
        (S.PERFORMING, "not_concluded", "reason_code", "invalid_choice"),
        (S.DRAFT, "government_breach", "reason_code", "invalid_choice"),
        (S.PERFORMING, "bogus", "reason_code", "invalid_choice"),
    ],
)
def test_termination_reason_codes_fit_the_stage(world, status, reason_code, field, code):
    contract = h.in_state(world, status)
    with pytest.raises(ValidationFailed) as caught:
        lifecycle.contract_terminate(
            actor=world.staff_a, contract=contract, on=STEP_ON, reason_code=reason_code, reason="理由"
        )
    assert (list(caught.value.fields), caught.value.code) == ([field], code)
    assert Contract.objects.get(pk=contract.pk).status == status


@pytest.mark.django_db
def test_termination_for_government_breach_is_recorded_with_its_reason(world):
    contract = h.performing(world)
    contract = lifecycle.contract_terminate(
        actor=world.staff_a,
        contract=contract,
        on=STEP_ON,
        reason_code="government_breach",
        reason="未按约定交付用地",
    )
    stored = Contract.objects.get(pk=contract.pk)
    assert (stored.status, stored.terminated_on, stored.termination_reason_code, stored.termination_reason) == (
        "terminated",
        STEP_ON,
        "government_breach",
        "未按约定交付用地",
    )
    event = stored.events.latest("id")
    assert (event.reason_code, event.reason) == ("government_breach", "未按约定交付用地")


@pytest.mark.django_db
def test_a_reason_is_required_to_terminate_or_return_to_draft(world):
    contract = h.performing(world)
    with pytest.raises(ValidationFailed) as caught:
        lifecycle.contract_terminate(
            actor=world.staff_a, contract=contract, on=STEP_ON, reason_code="mutual_agreement", reason=" "
        )
    assert list(caught.value.fields) == ["reason"]
    review = h.reviewed(world)
    with pytest.raises(ValidationFailed) as caught:
        lifecycle.contract_return_to_draft(actor=world.staff_a, contract=review, on=STEP_ON, reason="")
    assert list(caught.value.fields) == ["reason"]


@pytest.mark.django_db
def test_disputed_is_a_side_flag_with_its_own_actions(world):
    # given a performing contract
    contract = h.performing(world)
    # when a dispute is raised
    contract = lifecycle.contract_dispute_open(
        actor=world.staff_a, contract=contract, on=date(2026, 3, 1), reason="对工程量有争议"
    )
    # then the status stays, the flag is up, and completion is refused
    assert (contract.status, contract.disputed_since, contract.dispute_reason) == (
        "performing",
        date(2026, 3, 1),
        "对工程量有争议",
    )
    with pytest.raises(IllegalTransition) as caught:
        lifecycle.contract_complete(actor=world.staff_a, contract=contract, on=h.COMPLETED)
    assert caught.value.code == "contract_disputed"
    with pytest.raises(IllegalTransition) as caught:
        lifecycle.contract_dispute_open(actor=world.staff_a, contract=contract, on=date(2026, 3, 2), reason="再次")
    assert caught.value.code == "already_disputed"
    # when it is resolved, completion is possible
    contract = lifecycle.contract_dispute_close(
        actor=world.staff_a, contract=contract, on=date(2026, 4, 1), reason="双方和解"
    )
    assert contract.disputed_since is None
    assert lifecycle.contract_complete(actor=world.staff_a, contract=contract, on=h.COMPLETED).status == "completed"
    kinds = list(contract.events.filter(kind__startswith="dispute").values_list("kind", "on", "reason"))
    assert kinds == [
        ("dispute_opened", date(2026, 3, 1), "对工程量有争议"),
        ("dispute_closed", date(2026, 4, 1), "双方和解"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [S.DRAFT, S.LEGALITY_REVIEW, S.COMPLETED, S.TERMINATED])
def test_no_dispute_outside_a_binding_contract(world, status):
    contract = h.in_state(world, status)
    with pytest.raises(IllegalTransition):
        lifecycle.contract_dispute_open(actor=world.staff_a, contract=contract, on=STEP_ON, reason="争议")
    assert Contract.objects.get(pk=contract.pk).disputed_since is None


@pytest.mark.django_db
def test_a_disputed_contract_can_be_terminated_and_the_dispute_closed_afterwards(world):
    contract = h.performing(world)
    lifecycle.contract_dispute_open(actor=world.staff_a, contract=contract, on=date(2026, 3, 1), reason="争议")
    contract = lifecycle.contract_terminate(
        actor=world.staff_a, contract=contract, on=STEP_ON, reason_code="enterprise_breach", reason="企业违约"
    )
    assert contract.status == "terminated"
    contract = lifecycle.contract_dispute_close(
        actor=world.staff_a, contract=contract, on=date(2026, 8, 1), reason="仲裁裁决"
    )
    assert contract.disputed_since is None


@pytest.mark.django_db
def test_only_the_agencys_own_staff_move_its_contracts(world):
    contract = h.new_contract(world)
    # another agency's staff cannot see it
    with pytest.raises(NotFound):
        lifecycle.contract_submit_for_review(actor=world.staff_b, contract=contract, on=h.SUBMITTED)
    # the counterparty sees it but cannot act; nor can an administrator or a supervisor
    for actor in (world.enterprise_user_1, world.administrator, world.supervisor):
        with pytest.raises(PermissionDenied):
            lifecycle.contract_submit_for_review(actor=actor, contract=contract, on=h.SUBMITTED)
    assert Contract.objects.get(pk=contract.pk).status == S.DRAFT
    assert ContractEvent.objects.filter(contract=contract).count() == 0


@pytest.mark.django_db
def test_only_a_draft_is_edited_directly(world):
    contract = h.new_contract(world)
    contract = lifecycle.contract_update(actor=world.staff_a, contract=contract, amount=Decimal("320000.00"))
    assert Contract.objects.get(pk=contract.pk).amount == Decimal("320000.00")
    contract = h.in_review(world, contract)
    with pytest.raises(Conflict) as caught:
        lifecycle.contract_update(actor=world.staff_a, contract=contract, amount=Decimal("1.00"))
    assert caught.value.code == "contract_not_editable"
    assert Contract.objects.get(pk=contract.pk).amount == Decimal("320000.00")


# --- every from-state × every explicit action, through HTTP -------------------------------
# Each action is its own endpoint; the lifecycle ones move to one target state, whose allowance
# is read from TRANSITIONS; the dispute flag is raised only on a binding contract (ADR 0003).
ACTIONS = {
    "submit-review": (S.LEGALITY_REVIEW, {"on": "2026-07-01", "reason": "理由"}),
    "return-to-draft": (S.DRAFT, {"on": "2026-07-01", "reason": "理由"}),
    "sign": (S.SIGNED, {"signed_on": "2026-07-01", "reason": "理由"}),
    "file": (S.FILED, {"filed_on": "2026-07-01", "reason": "理由"}),
    "start-performance": (S.PERFORMING, {"on": "2026-07-01", "reason": "理由"}),
    "complete": (S.COMPLETED, {"on": "2026-07-01", "reason": "理由"}),
    "terminate": (S.TERMINATED, {"on": "2026-07-01", "reason": "理由"}),
    "dispute": (None, {"on": "2026-07-01", "reason": "理由"}),
    "resolve-dispute": (None, {"on": "2026-07-01", "reason": "理由"}),
}
ACTION_MATRIX = [(f, a) for f in S.values for a in ACTIONS]


def _expected(frm: str, action: str) -> tuple[bool, str]:
    """(allowed, the 409 code otherwise) of ``action`` on a contract in ``frm``, not disputed."""
    target, _ = ACTIONS[action]
    if action == "dispute":
        return frm in (S.SIGNED, S.FILED, S.PERFORMING), "illegal_transition"
    if action == "resolve-dispute":
        return False, "not_disputed"
    return target in TRANSITIONS[frm], "illegal_transition"


@pytest.mark.django_db
@pytest.mark.parametrize(("frm", "action"), ACTION_MATRIX, ids=[f"{f}:{a}" for f, a in ACTION_MATRIX])
def test_action_matrix_through_http(world, api, frm, action):
    # given a contract in `frm` whose guards would all pass
    contract = h.in_state(world, frm)
    before = list(ContractEvent.objects.filter(contract=contract).values_list("id", flat=True))
    target, body = ACTIONS[action]
    if action == "terminate":
        body = {**body, "reason_code": _reason_code(frm)}
    allowed, code = _expected(frm, action)
    # when its staff take the action
    response = api(world.staff_a).post(reverse(f"contract-{action}", kwargs={"pk": contract.pk}), body, format="json")
    stored = Contract.objects.get(pk=contract.pk)
    if allowed:
        # then it is done, and the step is logged with actor, date and reason
        assert response.status_code == 200, response.json()
        new = ContractEvent.objects.filter(contract=contract).exclude(id__in=before).get()
        if target is None:
            assert (stored.status, stored.disputed_since, new.kind) == (frm, STEP_ON, "dispute_opened")
        else:
            assert (stored.status, response.json()["status"], new.kind, new.from_status, new.to_status) == (
                target,
                target,
                "transition",
                frm,
                target,
            )
        assert (new.actor, new.on, new.reason) == (world.staff_a, STEP_ON, "理由")
    else:
        # then a 409 with its code, and nothing written
        assert (response.status_code, response.json()["code"]) == (409, code)
        assert (stored.status, stored.disputed_since) == (frm, None)
        assert list(ContractEvent.objects.filter(contract=contract).values_list("id", flat=True)) == before


def test_the_action_matrix_covers_every_move_of_the_table():
    # each allowed move of the table is reachable by exactly one action
    targets = [t for t, _ in ACTIONS.values() if t is not None]
    assert sorted(targets) == sorted(S.values)
    moves = {(f, ACTIONS[a][0]) for f, a in ACTION_MATRIX if ACTIONS[a][0] and _expected(f, a)[0]}
    assert moves == {(f, t) for f, targets in TRANSITIONS.items() for t in targets}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"reviewer": " "}, "reviewer", "required"),
        ({"opinion": ""}, "opinion", "required"),
        ({"result": "maybe"}, "result", "invalid_choice"),
        ({"reviewed_on": date(2026, 1, 1)}, "reviewed_on", "before_previous_step"),
    ],
)
def test_a_review_names_reviewer_opinion_and_result(world, overrides, field, code):
    # given a contract submitted on 2026-01-02
    contract = h.in_review(world)
    fields = {"reviewer": "法制科", "opinion": "同意签订", "result": "passed", "reviewed_on": h.REVIEWED, **overrides}
    # when a review lacks one of its parts, it is refused naming it
    with pytest.raises(ValidationFailed) as caught:
        lifecycle.contract_review_record(actor=world.staff_a, contract=contract, **fields)
    assert (list(caught.value.fields), caught.value.code) == ([field], code)
    # and nothing is written: signing stays refused
    assert LegalityReview.objects.filter(contract=contract).count() == 0
    with pytest.raises(IllegalTransition) as refused:
        lifecycle.contract_sign(actor=world.staff_a, contract=contract, signed_on=h.SIGNED)
    assert refused.value.code == "legality_review_required"


@pytest.mark.django_db
def test_a_passed_review_of_an_earlier_round_does_not_allow_signing(world):
    # given a passed round 1, then returned to draft and resubmitted (round 2, not yet reviewed)
    contract = h.reviewed(world)
    contract = lifecycle.contract_return_to_draft(
        actor=world.staff_a, contract=contract, on=date(2026, 1, 4), reason="补充条款"
    )
    contract = lifecycle.contract_submit_for_review(actor=world.staff_a, contract=contract, on=date(2026, 1, 4))
    # when it is signed, then the old pass does not count
    with pytest.raises(IllegalTransition) as caught:
        lifecycle.contract_sign(actor=world.staff_a, contract=contract, signed_on=date(2026, 1, 5))
    assert caught.value.code == "legality_review_required"
    stored = Contract.objects.get(pk=contract.pk)
    assert (stored.status, stored.review_round, stored.signed_on) == (S.LEGALITY_REVIEW, 2, None)


@pytest.mark.django_db
def test_completion_names_the_untriggered_payment_once_the_others_are_paid(world):
    # given two payment milestones: one triggered, one never triggered
    contract = h.performing(world)
    first = milestones.milestone_record_trigger(
        actor=world.staff_a,
        milestone=h.payment_milestone(world, contract, title="首付款"),
        event="delivery",
        on=date(2026, 2, 2),
    )
    h.payment_milestone(world, contract, title="尾款", amount=Decimal("100000.00"))
    payment_record(
        actor=world.staff_a,
        obligation=first.obligation,
        kind=EntryKind.PAYMENT,
        on=date(2026, 3, 1),
        amount=Decimal("200000.00"),
    )
    # when completion is asked, the untriggered one alone is named
    with pytest.raises(IllegalTransition) as caught:
        lifecycle.contract_complete(actor=world.staff_a, contract=contract, on=h.COMPLETED)
    assert caught.value.detail == "政府方付款节点尚未付清（或尚未触发）：尾款；付清前不能确认履行完毕"
    assert Contract.objects.get(pk=contract.pk).status == S.PERFORMING
