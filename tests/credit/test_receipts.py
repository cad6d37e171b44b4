"""The platform's receipt (SPEC §5): accepted / rejected rows with reasons; rejected rows come
back in the next batch once corrected."""

from datetime import date

import pytest
from django.urls import reverse

from credit.models import ExportReceipt, ExportReceiptLine, RecordStatus
from credit.services import exports
from credit.services import records as svc
from tests.credit.builders import authority, bring_to
from tests.credit.test_exports import ops

S = RecordStatus


@pytest.fixture
def sent(world, windows):
    by = authority()
    a = bring_to(world, S.DETERMINED, by=by)
    b = bring_to(world, S.DETERMINED, by=by)
    batch = exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 6, 30))
    return a, b, batch


@pytest.mark.django_db
def test_a_rejected_row_returns_only_once_corrected(world, api, sent):
    a, b, batch = sent
    client = api(world.credit_officer)
    # when the platform accepts a and rejects b
    r = client.post(
        reverse("credit-export-receipt", args=[batch.pk]),
        {
            "received_on": "2026-07-02",
            "platform_reference": "XY-2026-0001",
            "accepted": [a.number],
            "rejected": [{"record_number": b.number, "reason": "相对方名称与登记信息不一致"}],
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["rejected"] == 1
    assert body["receipt"]["platform_reference"] == "XY-2026-0001"
    assert [(row["record_number"], row["result"], row["reason"]) for row in body["rows"]] == [
        (a.number, "accepted", ""),
        (b.number, "rejected", "相对方名称与登记信息不一致"),
    ]
    shown = client.get(reverse("credit-record-detail", args=[b.pk])).json()["exports"]
    assert [(e["batch_sequence"], e["operation"], e["result"]) for e in shown] == [(1, "新增", "rejected")]
    # then the next batch does not repeat it while it is uncorrected
    assert ops(exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 7, 3))) == []
    # once corrected it comes back — as 新增, since the platform never took it
    svc.record_correct(
        actor=world.credit_officer,
        record=b,
        on=date(2026, 7, 4),
        reason="按回执更正",
        changes={"counterparty_name": "更正后的名称"},
    )
    assert ops(exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 7, 5))) == [(b.number, "新增")]


@pytest.mark.django_db
def test_a_rejected_change_returns_as_a_change_once_corrected(world, sent):
    a, b, batch = sent
    officer = world.credit_officer
    exports.export_receipt_record(
        actor=officer, batch=batch, received_on=date(2026, 7, 1), accepted=[a.number, b.number], rejected=[]
    )
    svc.record_correct(actor=officer, record=a, on=date(2026, 7, 2), reason="更正", changes={"remarks": "第一次"})
    second = exports.export_batch_create(actor=officer, as_of=date(2026, 7, 3))
    assert ops(second) == [(a.number, "变更")]
    exports.export_receipt_record(
        actor=officer,
        batch=second,
        received_on=date(2026, 7, 4),
        accepted=[],
        rejected=[{"record_number": a.number, "reason": "备注不规范"}],
    )
    assert ops(exports.export_batch_create(actor=officer, as_of=date(2026, 7, 5))) == []
    svc.record_correct(actor=officer, record=a, on=date(2026, 7, 6), reason="更正", changes={"remarks": "第二次"})
    assert ops(exports.export_batch_create(actor=officer, as_of=date(2026, 7, 7))) == [(a.number, "变更")]


@pytest.mark.django_db
def test_a_receipt_must_match_the_batch_and_is_recorded_once(world, api, sent):
    a, b, batch = sent
    client = api(world.credit_officer)
    url = reverse("credit-export-receipt", args=[batch.pk])
    bad = client.post(
        url,
        {
            "received_on": "2026-07-02",
            "accepted": [a.number, "ZWSX-UNKNOWN"],
            "rejected": [{"record_number": a.number, "reason": "名称有误"}],
        },
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["fields"] == {
        "accepted": [f"回执未列明以下行的结果：{b.number}"],
        "accepted.1": ["记录“ZWSX-UNKNOWN”不在本批次中"],
        "rejected": [f"记录重复列出：{a.number}"],
    }
    no_reason = client.post(
        url,
        {"received_on": "2026-07-02", "accepted": [a.number], "rejected": [{"record_number": b.number, "reason": " "}]},
        format="json",
    )
    assert (no_reason.status_code, list(no_reason.json()["fields"])) == (400, ["rejected.0.reason"])
    assert ExportReceipt.objects.count() == ExportReceiptLine.objects.count() == 0
    early = client.post(url, {"received_on": "2026-06-29", "accepted": [a.number, b.number]}, format="json")
    assert (early.status_code, list(early.json()["fields"])) == (400, ["received_on"])
    ok = client.post(url, {"received_on": "2026-07-02", "accepted": [a.number, b.number]}, format="json")
    assert ok.status_code == 201
    again = client.post(url, {"received_on": "2026-07-03", "accepted": [a.number, b.number]}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "receipt_exists")
    assert ExportReceiptLine.objects.filter(accepted=True).count() == 2
