"""Demo dishonesty records in every state, and two consecutive demo batches.

Everything here is demo data: the records are ``is_demo`` (demo records never leave in a live
batch), and the two batches are demo batches — ``is_demo``, numbered from their own sequence,
holding demo records only, their manifest saying 演示批次，不得报送. They show honestly what a
live run looks like: batch 1 sends five records (新增), the platform rejects one, the record is
corrected, and batch 2 holds exactly the changes since: the corrected row again and a newly
determined record (新增), a correction of a published record (变更), and a repair, an expiry and
a revocation (撤销). Batch 2's receipt is left pending.

The steps are replayed in date order through the services, so each carries its actor, date and
reason. Idempotent: a second run finds the first demo record and does nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from credit.models import DishonestyKind, DishonestyRecord, Severity
from credit.services import exports, records
from credit.services.windows import seed_publicity_windows
from ledger.demo.parties import demo_enterprise
from ledger.models import Agency, User

D = date
K = DishonestyKind

# number suffix, subject, kind, counterparty, amount, facts
SPECS = {
    1: ("jyj", K.ARREARS, "e1", "186000.00", "区交运局拖欠黄山徽韵建材有限公司道路养护材料款，企业多次催告未果。"),
    2: ("wltj", K.POLICY, "e2", "50000.00", "区文旅体局已核准的文旅企业数字化改造奖补资金逾期未兑现。"),
    3: ("jyj", K.BREACH, "e3", "1200000.00", "区交运局单方停止履行公交场站委托运营协议。"),
    4: ("wltj", K.COURT_DECISION, "e3", "320000.00", "区文旅体局未在判决确定的期限内支付场馆租赁费。"),
    5: ("jyj", K.LEGACY_DEBT, "e4", "98000.00", "区交运局负责人更替后对前任签订的维修合同尾款不予支付。"),
    6: ("jyj", K.ARREARS, "e1", "250000.00", "区交运局拖欠黄山徽韵建材有限公司桥梁加固工程进度款，经核实属实。"),
    7: ("wltj", K.COURT_DECISION, "e3", "460000.00", "区文旅体局拒不履行生效判决确定的场地返还及补偿义务。"),
    8: (
        "demo-lyw",
        K.POLICY,
        "e2",
        "80000.00",
        "原区旅游发展委员会承诺的招商引资奖励逾期未兑现（债务由区文旅体局承继）。",
    ),
    9: ("jyj", K.ARREARS, "e4", "12345.67", "区交运局迟延支付小额检测服务费。"),
    10: ("wltj", K.POLICY, "e1", "30000.00", "区文旅体局承诺的展会补贴逾期未兑现。"),
    11: ("jyj", K.BREACH, "e2", "600000.00", "区交运局提前解除信息化运维服务合同。"),
    12: ("wltj", K.ARREARS, "e2", "8800.00", "区文旅体局迟延支付小额印刷费。"),
}


def _number(n: int) -> str:
    return f"ZWSX-DEMO-{n:04d}"


@transaction.atomic
def load() -> None:
    if DishonestyRecord.objects.filter(number=_number(1)).exists():
        return
    seed_publicity_windows()
    officer = User.objects.get(username="demo-credit")
    qzf = Agency.objects.get(short_code="qzf")  # 区政府: the superior that determines (NDRC 2023 通知)
    fgw = Agency.objects.get(short_code="fgw")  # 区发改委: leads task 20, sends the data

    recs: dict[int, DishonestyRecord] = {}

    def create(n: int, proposed_on: date) -> DishonestyRecord:
        subject, kind, ent, amount, facts = SPECS[n]
        recs[n] = records.record_create_manual(
            actor=officer,
            subject_agency=Agency.objects.get(short_code=subject),
            kind=kind,
            facts=facts,
            source_label="演示：企业诉求及督查线索",
            proposed_on=proposed_on,
            reason="演示数据：根据线索登记候选",
            amount=Decimal(amount),
            counterparty=demo_enterprise(ent),
            is_demo=True,
            number=_number(n),
        )
        return recs[n]

    def step(fn, n: int, **kw) -> None:
        recs[n] = fn(actor=officer, record=recs[n], **kw)

    def up_to_determination(n, proposed, verified, ordered, deadline, determined, severity, publish=None):
        create(n, proposed)
        step(records.record_verify, n, on=verified, reason="经向主管部门核实，情况属实")
        step(records.record_order_rectification, n, on=ordered, deadline=deadline, reason="责令限期整改并书面报告")
        step(
            records.record_determine,
            n,
            on=determined,
            reason="整改期限届满仍未整改，报经区政府认定",
            severity=severity,
            determining_authority=qzf,
            data_source=fgw,
            basis="《优化营商环境条例》第三十一条、第三十二条；《保障中小企业款项支付条例》第二十六条",
            publish=publish,
        )

    # Everything dated on or before the first batch (2026-06-30).
    up_to_determination(6, D(2026, 4, 1), D(2026, 4, 3), D(2026, 4, 7), D(2026, 5, 7), D(2026, 6, 15), Severity.GENERAL)
    up_to_determination(
        8, D(2026, 4, 1), D(2026, 4, 2), D(2026, 4, 3), D(2026, 4, 17), D(2026, 4, 20), Severity.GENERAL
    )
    up_to_determination(
        9, D(2026, 4, 1), D(2026, 4, 2), D(2026, 4, 3), D(2026, 4, 8), D(2026, 4, 10), Severity.MINOR, True
    )
    up_to_determination(
        10, D(2026, 4, 1), D(2026, 4, 5), D(2026, 4, 8), D(2026, 5, 1), D(2026, 5, 6), Severity.MINOR, True
    )
    up_to_determination(
        11, D(2026, 4, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 6), D(2026, 5, 10), Severity.GENERAL
    )
    up_to_determination(
        12, D(2026, 4, 15), D(2026, 4, 18), D(2026, 4, 20), D(2026, 5, 20), D(2026, 6, 1), Severity.MINOR
    )
    create(5, D(2026, 5, 1))
    step(records.record_dismiss, 5, on=D(2026, 5, 20), reason="经核实系企业未按约定开具发票所致，不属于政府失信")
    create(4, D(2026, 6, 1))
    step(records.record_verify, 4, on=D(2026, 6, 5), reason="经核实判决已生效且未履行")
    step(records.record_order_rectification, 4, on=D(2026, 6, 10), deadline=D(2026, 7, 10), reason="责令限期履行")
    performed = dict(performed_on=D(2026, 6, 20), note="已足额支付，有银行回单（演示）")
    step(records.record_performance_record, 9, **performed)

    batch1 = exports.export_batch_create(actor=officer, as_of=D(2026, 6, 30), demo=True)
    exports.export_receipt_record(
        actor=officer,
        batch=batch1,
        received_on=D(2026, 7, 3),
        platform_reference="DEMO-RECEIPT-0001",
        accepted=[_number(n) for n in (8, 9, 10, 11)],
        rejected=[{"record_number": _number(6), "reason": "失信行为描述未载明责令整改及逾期未整改情况"}],
    )

    # After the first batch.
    step(records.record_mark_rectified, 4, on=D(2026, 7, 1), reason="已于整改期限内履行完毕，不予记录")
    up_to_determination(7, D(2026, 5, 1), D(2026, 5, 5), D(2026, 5, 8), D(2026, 6, 8), D(2026, 7, 1), Severity.SERIOUS)
    step(
        records.record_correct,
        6,
        on=D(2026, 7, 5),
        reason="按平台回执补充整改情况",
        changes={"facts": SPECS[6][4] + "经责令于2026-05-07前整改，逾期未整改。"},
    )
    step(records.record_expire, 9, on=D(2026, 7, 15), reason="最长公示期届满且义务已履行，停止公示")
    step(records.record_performance_record, 8, performed_on=D(2026, 7, 1), note="奖励资金已拨付到位（演示）")
    step(
        records.record_commitment_record,
        8,
        committed_on=D(2026, 7, 25),
        text="本单位承诺依法依约履行承诺，不再发生类似失信行为。",
    )
    step(
        records.record_repair,
        8,
        on=D(2026, 8, 10),
        on_behalf_of=qzf,
        reason="最短公示期已满，义务已履行并作出信用承诺，准予修复",
    )
    create(2, D(2026, 9, 1))
    step(records.record_verify, 2, on=D(2026, 9, 10), reason="经核实奖补已核准未支付")
    step(records.record_revoke, 11, on=D(2026, 9, 1), reason="复查发现合同系依约定解除，撤销认定")
    step(
        records.record_correct,
        10,
        on=D(2026, 9, 15),
        reason="更正备注",
        changes={"remarks": "已届最长公示期，义务尚未履行"},
    )
    create(3, D(2026, 8, 1))
    step(records.record_verify, 3, on=D(2026, 8, 5), reason="经核实情况属实")
    step(records.record_order_rectification, 3, on=D(2026, 8, 10), deadline=D(2026, 12, 31), reason="责令限期整改")
    create(1, D(2026, 10, 20))

    exports.export_batch_create(actor=officer, as_of=D(2026, 9, 30), demo=True)
