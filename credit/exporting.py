"""The columns of ``/api/credit/records/export/`` (the list's own filters; issue 6). The platform
batches of SPEC §5 (``zwsx-1``) are another thing: credit/zwsx.py."""

from credit.models import CandidateRule, DishonestyKind, RecordStatus, Severity
from ledger.api.exporting import Col, ExportSpec

CREDIT_RECORD_EXPORT = ExportSpec(
    title="政务失信记录",
    columns=[
        Col("记录编号", "number"),
        Col("状态", "status", labels=dict(RecordStatus.choices)),
        Col("候选来源规则", "rule", labels=dict(CandidateRule.choices)),
        Col("失信主体名称", "subject_name"),
        Col("失信主体统一社会信用代码", "subject_uscc"),
        Col("行政区划代码", "region_code"),
        Col("失信类型", "kind", labels=dict(DishonestyKind.choices)),
        Col("涉及金额（元）", "amount"),
        Col("相对方名称", "counterparty_name"),
        Col("相对方统一社会信用代码", "counterparty_uscc"),
        Col("提出日期", "proposed_on"),
        Col("核实日期", "verified_on"),
        Col("认定日期", "determined_on"),
        Col("认定单位", "authority_name"),
        Col("失信等级", "severity", labels=dict(Severity.choices)),
        Col("公示", "published"),
        Col("公示起始日期", "publicity_start"),
        Col("公示截止日期", "publicity_max_end"),
        Col("办结日期", "closed_on"),
    ],
)
