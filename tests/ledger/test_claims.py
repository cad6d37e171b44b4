"""Claims (诉求): filing with evidence, the art. 25 clock, the supervisor's decision (issue #3 item 6)."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from ledger.errors import IllegalTransition, PermissionDenied
from ledger.models import (
    CLAIM_TRANSITIONS,
    Claim,
    ClaimEvidence,
    ClaimStatus,
    Notification,
    Obligation,
    Regime,
    Source,
)
from ledger.services import claims as svc
from tests.ledger.claim_helpers import (
    DECIDED_ON,
    JPG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    VERIFY_FACTS,
    claim_in,
    docx_bytes,
    upload,
    xlsx_bytes,
    zip_bytes,
)

pytestmark = pytest.mark.django_db

LIST = "/api/claims/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def detail(claim, suffix=""):
    return f"/api/claims/{claim.pk}/{suffix}"


def nothing_written(before_claims=0, before_evidence=0):
    assert Claim.objects.count() == before_claims
    assert ClaimEvidence.objects.count() == before_evidence
    assert Claim.history.count() == before_claims


# --- filing -----------------------------------------------------------------------------------
def test_enterprise_files_a_claim_with_evidence(world, api):
    # given a PDF and a PNG
    files = [upload("采购合同.pdf", PDF_BYTES), upload("验收单.PNG", PNG_BYTES)]
    # when the enterprise files its claim
    response = api(world.enterprise_user_1).post(
        LIST,
        {"agency": world.agency_a.pk, "amount": "80000.00", "subject": "办公家具货款未付", "files": files},
        format="multipart",
    )
    # then it is registered for its own enterprise, filed today, with both files recorded
    assert response.status_code == 201, response.content
    body = response.json()
    claim = Claim.objects.get()
    assert body["reference"] == claim.reference
    assert body["reference"].startswith("CL-") and len(body["reference"]) == 19
    assert body["status"] == "filed"
    assert body["status_label"] == "已登记"
    assert body["amount"] == "80000.00"
    assert body["enterprise"] == world.enterprise_1.pk
    assert claim.region_code == world.agency_a.region_code
    assert claim.filed_by == world.enterprise_user_1
    evidence = [(e["original_name"], e["kind"], e["content_type"], e["size"], e["sha256"]) for e in body["evidence"]]
    assert evidence == [
        ("采购合同.pdf", "pdf", "application/pdf", len(PDF_BYTES), hashlib.sha256(PDF_BYTES).hexdigest()),
        ("验收单.PNG", "png", "image/png", len(PNG_BYTES), hashlib.sha256(PNG_BYTES).hexdigest()),
    ]
    # and the supervisor is told
    assert Notification.objects.filter(user=world.supervisor, kind="claim_filed").count() == 1


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("a.pdf", PDF_BYTES, "pdf"),
        ("a.jpeg", JPG_BYTES, "jpg"),
        ("a.jpg", JPG_BYTES, "jpg"),
        ("a.png", PNG_BYTES, "png"),
        ("a.xlsx", xlsx_bytes(), "xlsx"),
        ("a.docx", docx_bytes(), "docx"),
    ],
)
def test_allowed_types_are_recognised_by_content(world, api, name, data, kind):
    response = api(world.enterprise_user_1).post(
        LIST,
        {"agency": world.agency_a.pk, "amount": "100.00", "subject": "x", "files": [upload(name, data)]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["evidence"][0]["kind"] == kind


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("fake.pdf", b"just some text pretending", "file_type_not_allowed"),
        ("image.pdf", PNG_BYTES, "file_extension_mismatch"),
        ("book.xlsx", docx_bytes(), "file_extension_mismatch"),
        ("archive.docx", zip_bytes(), "file_type_not_allowed"),
        ("macro.docx", docx_bytes(macro=True), "file_type_not_allowed"),
        ("script.exe", b"MZ\x90\x00", "file_type_not_allowed"),
        ("empty.pdf", b"", "file_empty"),
    ],
)
def test_a_bad_file_is_a_clear_400_and_nothing_is_written(world, api, name, data, code):
    # given one good file and one bad one
    files = [upload("good.pdf", PDF_BYTES), upload(name, data)]
    # when filing
    response = api(world.enterprise_user_1).post(
        LIST, {"agency": world.agency_a.pk, "amount": "100.00", "subject": "x", "files": files}, format="multipart"
    )
    # then 400 naming the files field, and neither the claim nor the good file was recorded
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert list(response.json()["fields"]) == ["files"]
    nothing_written()


def test_a_file_over_the_size_limit_is_refused(world, api, settings):
    settings.LEDGER_MAX_UPLOAD_BYTES = 64
    response = api(world.enterprise_user_1).post(
        LIST,
        {"agency": world.agency_a.pk, "amount": "100.00", "subject": "x", "files": [upload("a.pdf", PDF_BYTES)]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert response.json()["fields"]["files"] == [f"文件“a.pdf”大小{len(PDF_BYTES)}字节，超过上限64字节"]
    nothing_written()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount": 80000.5}, "amount"),  # a float
        ({"amount": "80000.001"}, "amount"),  # over-precise
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"agency": "abc"}, "agency"),
        ({"agency": 999999}, "agency"),
        ({"subject": ""}, "subject"),
        ({"subject": ["a", "b"]}, "subject"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, api, payload, field):
    data = {"agency": world.agency_a.pk, "amount": "100.00", "subject": "货款", **payload}
    response = api(world.enterprise_user_1).post(LIST, data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    nothing_written()


def test_an_enterprise_cannot_file_for_another_enterprise(world, api):
    # when enterprise 1 names enterprise 2 as the claimant
    response = api(world.enterprise_user_1).post(
        LIST,
        {"agency": world.agency_a.pk, "amount": "100.00", "subject": "x", "enterprise": world.enterprise_2.pk},
        format="json",
    )
    # then enterprise 2 does not exist for it: 400 on the field, nothing written
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["enterprise"]
    nothing_written()


@pytest.mark.parametrize("role", ["staff_a", "supervisor", "auditor", "administrator"])
def test_only_enterprises_file_claims(world, api, role):
    response = api(getattr(world, role)).post(
        LIST, {"agency": world.agency_a.pk, "amount": "100.00", "subject": "x"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    nothing_written()


def test_more_evidence_and_its_download(world, api):
    claim = claim_in(world, ClaimStatus.FORWARDED)
    # when the debtor agency adds a file with its response
    response = api(world.staff_a).post(
        detail(claim, "evidence/"), {"file": upload("回复.docx", docx_bytes())}, format="multipart"
    )
    assert response.status_code == 201, response.content
    evidence = ClaimEvidence.objects.get()
    assert (evidence.uploaded_by, evidence.kind, evidence.size) == (world.staff_a, "docx", len(docx_bytes()))
    # then the enterprise can download exactly those bytes
    download = api(world.enterprise_user_1).get(detail(claim, "evidence-file/"), {"evidence": evidence.pk})
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == docx_bytes()
    assert download["Content-Type"] == evidence.content_type
    # a missing evidence id is 400, an unknown one 404
    assert api(world.enterprise_user_1).get(detail(claim, "evidence-file/")).status_code == 400
    assert api(world.enterprise_user_1).get(detail(claim, "evidence-file/"), {"evidence": 99999}).status_code == 404


def test_no_evidence_after_the_claim_is_closed(world, api):
    claim = claim_in(world, ClaimStatus.REJECTED)
    response = api(world.enterprise_user_1).post(
        detail(claim, "evidence/"), {"file": upload("a.pdf", PDF_BYTES)}, format="multipart"
    )
    assert response.status_code == 409
    assert ClaimEvidence.objects.count() == 0


# --- the art. 25 steps --------------------------------------------------------------------------
def test_the_whole_path_to_a_verified_obligation(world, api):
    claim = claim_in(world, ClaimStatus.FILED)
    sup = api(world.supervisor)
    # accepted on Mon 2026-06-01: forward within 10 working days → 2026-06-15
    r = sup.post(detail(claim, "accept/"), {"on": "2026-06-01"}, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["accepted_on"], r.json()["forward_due_on"]) == ("2026-06-01", "2026-06-15")
    # forwarded on 2026-06-10: a written result within 30 days → 2026-07-10, at most 90 → 2026-09-08
    r = sup.post(detail(claim, "forward/"), {"on": "2026-06-10"}, format="json")
    assert (r.json()["forwarded_on"], r.json()["result_due_on"], r.json()["result_cap_on"]) == (
        "2026-06-10",
        "2026-07-10",
        "2026-09-08",
    )
    # the debtor agency responds
    r = api(world.staff_a).post(detail(claim, "respond/"), {"on": "2026-06-20", "text": "属实，正在走付款流程"})
    assert (r.status_code, r.json()["status"], r.json()["response_text"]) == (200, "responded", "属实，正在走付款流程")
    # the supervisor verifies 60,000.00 of the 80,000.00 claimed, as a contract debt delivered 2026-05-01
    r = sup.post(
        detail(claim, "verify/"),
        {
            "on": "2026-07-01",
            "principal": "60000.00",
            "arose_on": "2026-05-01",
            "trigger": "delivery",
            "trigger_on": "2026-05-01",
            "underlying_regime": "contract",
        },
        format="json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    obligation = Obligation.objects.get()
    assert (body["status"], body["decided_on"], body["obligation"]) == ("verified", "2026-07-01", obligation.pk)
    assert body["obligation_reference"] == obligation.reference
    assert obligation.source == Source.CLAIM
    assert obligation.regime == Regime.CONTRACT
    assert (obligation.debtor_agency, obligation.creditor) == (world.agency_a, world.enterprise_1)
    assert obligation.principal == Decimal("60000.00")
    # 30 days (the district's default) from 2026-05-01 end on Sun 2026-05-31 → Mon 2026-06-01
    assert obligation.due_on == date(2026, 6, 1)
    assert obligation.title == "办公家具货款未付"
    # the clock as of the decision: both steps done on time
    clock = body["clock"]
    assert (clock["forward"]["state"], clock["result"]["state"]) == ("done_on_time", "done_on_time")
    # the enterprise was told, with a link to its obligation
    n = Notification.objects.get(user=world.enterprise_user_1, kind="claim_verified")
    assert n.link == f"/status/obligations/{obligation.pk}/"
    assert Claim.objects.get().decided_by == world.supervisor


@pytest.mark.parametrize(
    ("as_of", "forward", "days_left", "days_late"),
    [
        ("2026-06-05", "on_time", 10, 0),
        ("2026-06-12", "due_soon", 3, 0),
        ("2026-06-16", "overdue", None, 1),
        ("2026-06-30", "overdue", None, 15),
    ],
)
def test_forward_clock_as_of_a_date(world, api, as_of, forward, days_left, days_late):
    claim = claim_in(world, ClaimStatus.FILED)
    svc.claim_accept(actor=world.supervisor, claim=claim, on=date(2026, 6, 1))
    body = api(world.enterprise_user_1).get(detail(claim), {"as_of": as_of}).json()
    step = body["clock"]["forward"]
    assert (step["state"], step["due_on"], step["days_left"], step["days_late"]) == (
        forward,
        "2026-06-15",
        days_left,
        days_late,
    )
    assert step["article"] == "《保障中小企业款项支付条例》（2025）第二十五条"
    assert body["clock"]["result"]["state"] == "not_started"


def test_forwarded_late_and_result_overdue(world, api):
    claim = claim_in(world, ClaimStatus.FILED)
    svc.claim_accept(actor=world.supervisor, claim=claim, on=date(2026, 6, 1))
    svc.claim_forward(actor=world.supervisor, claim=claim, on=date(2026, 6, 17))
    # result due 30 days after 2026-06-17 → Fri 2026-07-17
    body = api(world.supervisor).get(detail(claim), {"as_of": "2026-07-20"}).json()
    assert body["clock"]["forward"] | {"label": None} == {
        "state": "done_late",
        "label": None,
        "starts_on": "2026-06-01",
        "due_on": "2026-06-15",
        "done_on": "2026-06-17",
        "days_left": None,
        "days_late": 2,
        "article": "《保障中小企业款项支付条例》（2025）第二十五条",
    }
    assert (body["clock"]["result"]["state"], body["clock"]["result"]["due_on"]) == ("overdue", "2026-07-17")
    assert body["clock"]["result"]["days_late"] == 3
    assert body["clock"]["late"] is True


def test_an_approved_extension_moves_the_result_term(world, api):
    claim = claim_in(world, ClaimStatus.FILED)
    svc.claim_accept(actor=world.supervisor, claim=claim, on=date(2026, 6, 1))
    svc.claim_forward(actor=world.supervisor, claim=claim, on=date(2026, 6, 10))
    sup = api(world.supervisor)
    # beyond 90 days → 400, nothing changed
    r = sup.post(detail(claim, "extend/"), {"on": "2026-07-09", "extended_to": "2026-09-09", "basis": "批"})
    assert (r.status_code, r.json()["code"]) == (400, "claim_extension_beyond_cap")
    assert Claim.objects.get().result_extended_to is None
    # within it → recorded with the approval
    r = sup.post(
        detail(claim, "extend/"), {"on": "2026-07-09", "extended_to": "2026-08-31", "basis": "区司法局批〔2026〕3号"}
    )
    assert r.status_code == 200, r.content
    assert (r.json()["result_extended_to"], r.json()["extension_approved_on"]) == ("2026-08-31", "2026-07-09")
    after = sup.get(detail(claim), {"as_of": "2026-07-20"}).json()["clock"]["result"]
    assert (after["state"], after["due_on"], after["days_left"]) == ("on_time", "2026-08-31", 42)
    # before the approval the old term applied
    before = sup.get(detail(claim), {"as_of": "2026-07-08"}).json()["clock"]["result"]
    assert (before["state"], before["due_on"]) == ("due_soon", "2026-07-10")


def test_an_expired_term_cannot_be_extended(world, api):
    claim = claim_in(world, ClaimStatus.FILED)
    svc.claim_accept(actor=world.supervisor, claim=claim, on=date(2026, 6, 1))
    svc.claim_forward(actor=world.supervisor, claim=claim, on=date(2026, 6, 10))
    r = api(world.supervisor).post(
        detail(claim, "extend/"), {"on": "2026-07-11", "extended_to": "2026-08-31", "basis": "补批"}
    )
    assert (r.status_code, r.json()["code"]) == (400, "claim_extension_too_late")
    assert Claim.objects.get().extension_approved_on is None


# --- who decides ------------------------------------------------------------------------------
def test_the_debtor_agency_never_verifies_a_claim_against_itself(world, api):
    claim = claim_in(world, ClaimStatus.RESPONDED)
    payload = {"on": "2026-06-20", **{k: str(v) for k, v in VERIFY_FACTS.items()}}
    history = Claim.history.count()
    # its own staff: forbidden
    r = api(world.staff_a).post(detail(claim, "verify/"), payload, format="json")
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    # another agency's staff: the claim does not exist for them
    assert api(world.staff_b).post(detail(claim, "verify/"), payload, format="json").status_code == 404
    # the enterprise and the administrator may not grade it either
    assert api(world.enterprise_user_1).post(detail(claim, "verify/"), payload, format="json").status_code == 403
    assert api(world.administrator).post(detail(claim, "verify/"), payload, format="json").status_code == 403
    # nothing was written
    assert Obligation.objects.count() == 0
    assert Claim.objects.get().status == ClaimStatus.RESPONDED
    assert Claim.history.count() == history
    with pytest.raises(PermissionDenied):
        svc.claim_verify(actor=world.staff_a, claim=claim, on=DECIDED_ON, **VERIFY_FACTS)


def test_rejecting_needs_a_reason(world, api):
    claim = claim_in(world, ClaimStatus.FORWARDED)
    r = api(world.supervisor).post(detail(claim, "reject/"), {"reason": "  "}, format="json")
    assert (r.status_code, list(r.json()["fields"])) == (400, ["reason"])
    assert Claim.objects.get().status == ClaimStatus.FORWARDED
    r = api(world.supervisor).post(detail(claim, "reject/"), {"reason": "双方无合同关系", "on": "2026-06-20"})
    assert (r.status_code, r.json()["status"], r.json()["rejection_reason"]) == (200, "rejected", "双方无合同关系")
    assert Notification.objects.get(user=world.enterprise_user_1, kind="claim_rejected").body == "双方无合同关系"


def test_verifying_more_than_claimed_is_refused(world, api):
    claim = claim_in(world, ClaimStatus.RESPONDED)
    payload = {"principal": "80000.01", **{k: str(v) for k, v in VERIFY_FACTS.items()}}
    r = api(world.supervisor).post(detail(claim, "verify/"), payload, format="json")
    assert (r.status_code, list(r.json()["fields"])) == (400, ["principal"])
    assert Obligation.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "payload", "user"),
    [
        ("verify/", {"on": "2026-06-20", **{k: str(v) for k, v in VERIFY_FACTS.items()}}, "supervisor"),
        ("forward/", {}, "supervisor"),
        ("respond/", {"text": "答复"}, "staff_a"),
        ("extend/", {"extended_to": "2026-08-01", "basis": "批"}, "supervisor"),
    ],
)
def test_an_illegal_step_is_409_and_changes_nothing(world, api, path, payload, user):
    # given a claim that is only filed
    claim = claim_in(world, ClaimStatus.FILED)
    history = Claim.history.count()
    r = api(getattr(world, user)).post(detail(claim, path), payload, format="json")
    assert (r.status_code, r.json()["code"]) == (409, "illegal_transition")
    assert Claim.objects.get().status == ClaimStatus.FILED
    assert Claim.history.count() == history
    assert Obligation.objects.count() == 0


def test_a_step_cannot_be_dated_before_the_one_it_follows(world, api):
    claim = claim_in(world, ClaimStatus.FILED)  # filed 2026-06-01
    r = api(world.supervisor).post(detail(claim, "accept/"), {"on": "2026-05-31"}, format="json")
    assert (r.status_code, r.json()["code"]) == (400, "date_out_of_order")
    r = api(world.supervisor).post(detail(claim, "accept/"), {"on": "2099-01-01"}, format="json")
    assert (r.status_code, r.json()["code"]) == (400, "future_date")
    r = api(world.supervisor).post(detail(claim, "accept/"), {"on": 20260601}, format="json")
    assert (r.status_code, list(r.json()["fields"])) == (400, ["on"])
    assert Claim.objects.get().accepted_on is None


# --- the transition matrix ------------------------------------------------------------------------
ACTIONS = {
    "accept": (ClaimStatus.ACCEPTED, "supervisor", lambda w, c: svc.claim_accept(actor=w.supervisor, claim=c)),
    "forward": (ClaimStatus.FORWARDED, "supervisor", lambda w, c: svc.claim_forward(actor=w.supervisor, claim=c)),
    "respond": (
        ClaimStatus.RESPONDED,
        "staff_a",
        lambda w, c: svc.claim_respond(actor=w.staff_a, claim=c, text="答复"),
    ),
    "verify": (
        ClaimStatus.VERIFIED,
        "supervisor",
        lambda w, c: svc.claim_verify(actor=w.supervisor, claim=c, **VERIFY_FACTS),
    ),
    "reject": (
        ClaimStatus.REJECTED,
        "supervisor",
        lambda w, c: svc.claim_reject(actor=w.supervisor, claim=c, reason="不予支持"),
    ),
    "withdraw": (
        ClaimStatus.WITHDRAWN,
        "enterprise_user_1",
        lambda w, c: svc.claim_withdraw(actor=w.enterprise_user_1, claim=c),
    ),
}


@pytest.mark.parametrize("start", list(ClaimStatus))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_transition_matrix(world, start, action):
    # given a claim in each status
    claim = claim_in(world, start)
    target, _, run = ACTIONS[action]
    allowed = target in CLAIM_TRANSITIONS[start]
    obligations = Obligation.objects.count()
    history = claim.history.count()
    # when the action is taken (dated today)
    if allowed:
        result = run(world, claim)
        # then the status moves, one history row is written
        assert result.status == target
        assert Claim.objects.get(pk=claim.pk).status == target
        assert claim.history.count() == history + 1
    else:
        with pytest.raises(IllegalTransition):
            run(world, claim)
        # then nothing changes
        assert Claim.objects.get(pk=claim.pk).status == start
        assert claim.history.count() == history
        assert Obligation.objects.count() == obligations


def test_the_table_is_closed_under_final_states():
    for final in (ClaimStatus.VERIFIED, ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN):
        assert CLAIM_TRANSITIONS[final] == frozenset()
    assert set(CLAIM_TRANSITIONS) == set(ClaimStatus)


# --- lists ---------------------------------------------------------------------------------------
def test_each_party_sees_its_own_claims(world, api):
    mine = claim_in(world, ClaimStatus.FILED)
    other = svc.claim_file(actor=world.enterprise_user_2, agency=world.agency_b, amount="5.00", subject="x")
    ids = lambda user: [row["id"] for row in api(user).get(LIST).json()["results"]]  # noqa: E731
    assert ids(world.enterprise_user_1) == [mine.pk]
    assert ids(world.staff_a) == [mine.pk]
    assert ids(world.staff_b) == [other.pk]
    assert ids(world.supervisor) == [mine.pk, other.pk]


def test_claim_list_query_count_does_not_grow(world, api, django_assert_max_num_queries):
    for _ in range(3):
        claim_in(world, ClaimStatus.VERIFIED, amount="100.00")
    client = api(world.supervisor)
    with django_assert_max_num_queries(8):
        r = client.get(LIST, {"as_of": "2026-07-01"})
    assert r.status_code == 200
    assert r.json()["count"] == 3
    assert reverse("claim-list") == LIST


# --- demo data ------------------------------------------------------------------------------------
def test_demo_claims_load_idempotently_and_show_each_case(api):
    from io import StringIO

    from django.core.management import call_command

    from ledger.demo import claims as demo_claims
    from ledger.demo import parties as demo_parties
    from ledger.models import Confirmation, User

    # given the seeds and the demo parties
    call_command("load_seeds", stdout=StringIO())
    demo_parties.load()
    # when the claims demo loads twice
    demo_claims.load()
    counts = (Claim.objects.count(), Claim.history.count(), Confirmation.history.count(), Obligation.objects.count())
    demo_claims.load()
    # then the rerun wrote nothing
    assert (
        Claim.objects.count(),
        Claim.history.count(),
        Confirmation.history.count(),
        Obligation.objects.count(),
    ) == counts
    verified = Claim.objects.get(subject=demo_claims.VERIFIED)
    assert (verified.status, verified.obligation.source, verified.obligation.regime) == (
        "verified",
        "claim",
        "sme_procurement",
    )
    assert Claim.objects.get(subject=demo_claims.REJECTED).status == "rejected"
    assert all(c.is_demo for c in Claim.objects.all()) and all(c.is_demo for c in Confirmation.objects.all())
    # the claim past its art. 25 clock, as of 2026-11-26
    past = Claim.objects.get(subject=demo_claims.PAST_CLOCK)
    clock = api(User.objects.get(username="demo-supervisor")).get(detail(past), {"as_of": "2026-11-26"}).json()["clock"]
    assert (clock["forward"]["state"], clock["forward"]["due_on"], clock["forward"]["days_late"]) == (
        "done_late",
        "2026-09-29",  # 10 working days: Sun 09-20 is a make-up working day, Fri 09-25 (中秋) is not
        13,
    )
    assert (clock["result"]["state"], clock["result"]["due_on"], clock["result"]["days_late"]) == (
        "overdue",
        "2026-11-11",
        15,
    )
    statuses = dict(Confirmation.objects.values_list("subject", "status"))
    assert statuses == {demo_claims.CONFIRMED: "confirmed", demo_claims.PENDING: "pending"}
