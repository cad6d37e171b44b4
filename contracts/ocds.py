"""OCDS 1.1.5 release packages for contracts (docs/adr/0003-contract-lifecycle.md, OCDS section).

One contracting process per contract: ``ocid = settings.LEDGER_OCID_PREFIX + "-" + contract id``.
Releases are events (OCDS "release = event, record = snapshot"):

- ``{ocid}-signed`` (tag ``contract``): the contract as signed, before any amendment;
- ``{ocid}-amendment-{n}`` (tag ``contractAmendment``): the contract after its n-th amendment,
  whose ``amendsReleaseID`` / ``releaseID`` point at the releases before and after it;
- ``{ocid}-asof-{YYYYMMDD}`` (tag ``implementation``, ``contractTermination`` once completed or
  terminated, ``contract`` before signing): the state as of the date asked for, with milestones
  (milestoneStatus as of that date) and ``implementation.transactions`` from the ledger's
  payments on the milestones' obligations.

Everything is read as of ``as_of``: steps, amendments and payments dated after it are left out.
Party identifiers carry USCCs, so a package is refused (``ExportUsccRefused``, 409) when one of
them fails R8 — checked on the contracts already loaded, before any release is built.
Money stays ``Decimal`` to the end and is written as an exact JSON number by ``OcdsJSONRenderer``.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from rest_framework.renderers import BaseRenderer

from contracts.models import AMENDABLE_FIELDS, Contract, ContractStatus, MilestoneKind, MilestoneSide
from contracts.selectors import MilestoneStatus, milestone_state, status_as_of
from ledger import clock
from ledger.exports import ExportUsccRefused, UsccFindings
from ledger.models import EntryKind

OCDS_VERSION = "1.1"
CURRENCY = "CNY"
# Organisation identifiers (OCDS: take the scheme from org-id.guide). The only Chinese list there
# is CN-SAIC, the market-regulation register, whose registration numbers are now the 18-character
# 统一社会信用代码; codes issued by other authorities (机构编制 11/12…, 民政 5…) have no list, so they
# carry our own scheme CN-USCC (docs/adr/0003).
SCHEME_MARKET_REGISTER = "CN-SAIC"
SCHEME_USCC = "CN-USCC"
PUBLISHER_NAME = getattr(settings, "LEDGER_OCDS_PUBLISHER", "履约践诺台账")

# contractStatus (1.1, closed): pending | active | cancelled | terminated.
CONTRACT_STATUS = {
    ContractStatus.DRAFT: "pending",
    ContractStatus.LEGALITY_REVIEW: "pending",
    ContractStatus.SIGNED: "active",
    ContractStatus.FILED: "active",
    ContractStatus.PERFORMING: "active",
    ContractStatus.COMPLETED: "terminated",  # "has now come to a close … successful completion"
    ContractStatus.TERMINATED: "terminated",  # "cancelled" when it ended before signing
}
# milestoneType (open codelist).
MILESTONE_TYPE = {
    MilestoneKind.PAYMENT: "payment",
    MilestoneKind.DELIVERY: "delivery",
    MilestoneKind.APPROVAL: "approval",
    MilestoneKind.FINANCING: "financing",
    MilestoneKind.REPORTING: "reporting",
    MilestoneKind.OTHER: None,
}
_MONEY_IN = (EntryKind.PAYMENT, EntryKind.INTEREST_PAYMENT)


def ocid(contract: Contract) -> str:
    return f"{settings.LEDGER_OCID_PREFIX}-{contract.pk}"


def datetime_of(day: date) -> str:
    """A business date as an RFC 3339 date-time at the start of the day in Asia/Shanghai."""
    return f"{day.isoformat()}T00:00:00+08:00"


def scheme_for(uscc: str) -> str:
    return SCHEME_MARKET_REGISTER if uscc.startswith("9") else SCHEME_USCC


def _organization(name: str, uscc: str | None, fallback_id: str, role: str) -> dict:
    if not uscc:  # a unit without legal personality has no USCC (SPEC §2)
        return {"id": fallback_id, "name": name, "roles": [role]}
    scheme = scheme_for(uscc)
    return {
        "id": f"{scheme}-{uscc}",
        "name": name,
        "identifier": {"scheme": scheme, "id": uscc, "legalName": name},
        "roles": [role],
    }


def _reference(party: dict) -> dict:
    return {"id": party["id"], "name": party["name"]}


def _value(amount: Decimal) -> dict:
    return {"amount": amount, "currency": CURRENCY}


def _from_json(name: str, raw):
    if raw is None:
        return None
    if name in ("amount", "agreed_late_rate"):
        return Decimal(raw)
    if name in ("period_start", "period_end"):
        return date.fromisoformat(raw)
    return raw


def versions(contract: Contract) -> list[dict]:
    """The amendable terms at every version: [0] as signed … [n] current, rebuilt from each
    amendment's old values (the same values simple-history holds for each version of the row)."""
    amendments = list(contract.amendments.all())
    current = {name: getattr(contract, name) for name in AMENDABLE_FIELDS}
    out = [current]
    for a in reversed(amendments):
        earlier = dict(out[0])
        for name, change in a.changes.items():
            earlier[name] = _from_json(name, change["old"])
        out.insert(0, earlier)
    return out


def _amendment_description(changes: dict) -> str:
    labels = {name: str(Contract._meta.get_field(name).verbose_name) for name in AMENDABLE_FIELDS}
    parts = []
    for name, change in changes.items():
        old = "（空）" if change["old"] in (None, "") else change["old"]
        new = "（空）" if change["new"] in (None, "") else change["new"]
        parts.append(f"{labels.get(name, name)}：{old} → {new}")
    return "；".join(parts)


def _milestones(contract: Contract, as_of: date) -> list[dict]:
    out = []
    for m in contract.milestones.all():
        state = milestone_state(m, as_of)
        block = {
            "id": f"milestone-{m.pk}",
            "title": m.title,
            "type": MILESTONE_TYPE[m.kind],
            # The side that must act: government (政府方) or enterprise (企业方).
            "code": f"{m.side}.{m.kind}",
            "status": MilestoneStatus.ocds[state.status],
            "dateModified": datetime_of(as_of),
        }
        description = m.description or ""
        if state.status == MilestoneStatus.NOT_TRIGGERED:
            description = (description + "（付款起算事件尚未发生）").strip()
        if description:
            block["description"] = description
        if state.due_on is not None:
            block["dueDate"] = datetime_of(state.due_on)
        if state.met_on is not None:
            block["dateMet"] = datetime_of(state.met_on)
        out.append(block)
    return out


def _transactions(contract: Contract, as_of: date, buyer: dict, supplier: dict) -> list[dict]:
    """Money that moved, from the ledger: payments and interest payments (positive) and their
    reversals (negative: OCDS "a negative value indicates a refund or correction")."""
    out = []
    for m in contract.milestones.all():
        if m.side != MilestoneSide.GOVERNMENT or m.obligation is None:
            continue
        entries = list(m.obligation.entries.all())
        kinds = {e.pk: e.kind for e in entries}
        for e in entries:
            if e.on > as_of:
                continue
            if e.kind in _MONEY_IN:
                amount = e.amount
            elif e.kind == EntryKind.REVERSAL and kinds.get(e.reverses_id) in _MONEY_IN:
                amount = -e.amount
            else:
                continue  # interest waivers move no money
            out.append(
                {
                    "id": f"entry-{e.pk}",
                    "date": datetime_of(e.on),
                    "value": _value(amount),
                    "payer": _reference(buyer),
                    "payee": _reference(supplier),
                }
            )
    return out


def contract_releases(contract: Contract, *, as_of: date) -> list[dict]:
    """Every release of one contracting process as of ``as_of`` (needs ``contract_queryset(full=True)``)."""
    process = ocid(contract)
    buyer = _organization(contract.agency.name, contract.agency.uscc, f"agency-{contract.agency_id}", "buyer")
    supplier = _organization(
        contract.counterparty.name, contract.counterparty.uscc, f"enterprise-{contract.counterparty_id}", "supplier"
    )
    if supplier["id"] == buyer["id"]:  # pragma: no cover - an agency never contracts with itself
        supplier["id"] += "-supplier"
    status = status_as_of(contract, as_of)
    signed_on = contract.signed_on if contract.signed_on and contract.signed_on <= as_of else None
    amendments = [a for a in contract.amendments.all() if a.signed_on <= as_of]
    terms = versions(contract)
    award_id = f"{process}-award"

    def release(release_id: str, on: date, tag: list[str], version: int, ocds_status: str, extra: dict) -> dict:
        values = terms[version]
        block = {
            "id": f"{process}-contract",
            "awardID": award_id,
            "title": values["title"],
            "status": ocds_status,
            "value": _value(values["amount"]),
        }
        if values["description"]:
            block["description"] = values["description"]
        period = {}
        if values["period_start"]:
            period["startDate"] = datetime_of(values["period_start"])
        if values["period_end"]:
            period["endDate"] = datetime_of(values["period_end"])
        if period:
            block["period"] = period
        if signed_on is not None:
            block["dateSigned"] = datetime_of(signed_on)
        block.update(extra)
        award_status = {"pending": "pending", "active": "active", "terminated": "active", "cancelled": "cancelled"}
        return {
            "ocid": process,
            "id": release_id,
            "date": datetime_of(on),
            "tag": tag,
            "initiationType": "tender",
            "language": "zh",
            "parties": [buyer, supplier],
            "buyer": _reference(buyer),
            "awards": [
                {
                    "id": award_id,
                    "status": award_status[ocds_status],
                    "value": _value(values["amount"]),
                    "suppliers": [_reference(supplier)],
                }
            ],
            "contracts": [block],
        }

    def amendment_blocks(upto: int) -> list[dict]:
        blocks = []
        for a in amendments[:upto]:
            before = f"{process}-signed" if a.number == 1 else f"{process}-amendment-{a.number - 1}"
            blocks.append(
                {
                    "id": str(a.number),
                    "date": datetime_of(a.signed_on),
                    "rationale": f"{a.get_rationale_code_display()}：{a.rationale}",
                    "description": _amendment_description(a.changes),
                    "amendsReleaseID": before,
                    "releaseID": f"{process}-amendment-{a.number}",
                }
            )
        return blocks

    releases = []
    if signed_on is not None:
        releases.append(release(f"{process}-signed", signed_on, ["contract"], 0, "active", {}))
        for a in amendments:
            releases.append(
                release(
                    f"{process}-amendment-{a.number}",
                    a.signed_on,
                    ["contractAmendment"],
                    a.number,
                    "active",
                    {"amendments": amendment_blocks(a.number)},
                )
            )
    ocds_status = CONTRACT_STATUS[status]
    if status == ContractStatus.TERMINATED and signed_on is None:
        ocds_status = "cancelled"  # ended before it was signed
    if status in (ContractStatus.COMPLETED, ContractStatus.TERMINATED):
        tag = ["contractTermination"]
    elif signed_on is not None:
        tag = ["implementation"]
    else:
        tag = ["contract"]
    extra: dict = {}
    milestones = _milestones(contract, as_of)
    if milestones:
        extra["milestones"] = milestones
    if amendments:
        extra["amendments"] = amendment_blocks(len(amendments))
    transactions = _transactions(contract, as_of, buyer, supplier)
    if transactions:
        extra["implementation"] = {"transactions": transactions}
    documents = [
        {
            "id": f"evidence-{ev.pk}",
            "title": ev.title,
            "format": ev.content_type,
            "datePublished": ev.uploaded_at.astimezone(clock.CHINA).isoformat(timespec="seconds"),
        }
        for ev in contract.evidence.all()
        if ev.uploaded_at.astimezone(clock.CHINA).date() <= as_of
    ]
    if documents:
        extra["documents"] = documents
    releases.append(release(f"{process}-asof-{as_of:%Y%m%d}", as_of, tag, len(amendments), ocds_status, extra))
    return releases


BUYER_USCC = "单位（buyer）统一社会信用代码"
SUPPLIER_USCC = "相对方（supplier）统一社会信用代码"


def refuse_invalid_usccs(contracts: list[Contract]) -> None:
    """SPEC R8: raise ``ExportUsccRefused`` if a party identifier would carry an invalid USCC.

    The contracts are loaded with their parties (``select_related``), so this reads no further
    rows: each distinct code is validated once, and the contracts carrying a bad one are named."""
    findings = UsccFindings()
    for c in contracts:
        findings.check(c.agency.uscc, BUYER_USCC)
        findings.check(c.counterparty.uscc, SUPPLIER_USCC)
    invalid = findings.invalid
    if not invalid:
        return
    for c in contracts:
        for code in dict.fromkeys((c.agency.uscc, c.counterparty.uscc)):
            if code in invalid:
                invalid[code].carried_by(c.number or ocid(c))
    raise ExportUsccRefused(invalid.values(), record_label="合同")


def release_package(contracts, *, as_of: date, uri: str, published: datetime | None = None) -> dict:
    """A release package holding every release of each contract, as of ``as_of``; refused
    (``ExportUsccRefused``) before anything is built if a party's USCC fails R8."""
    contracts = list(contracts)
    refuse_invalid_usccs(contracts)
    published = published or clock.now()
    releases = [r for c in contracts for r in contract_releases(c, as_of=as_of)]
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": published.astimezone(clock.CHINA).isoformat(timespec="seconds"),
        "publisher": {"name": PUBLISHER_NAME},
        "releases": releases,
    }


class OcdsJSONRenderer(BaseRenderer):
    """JSON with money as exact numbers: a Decimal is written digit for digit, never via float."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        marker = f"__decimal_{secrets.token_hex(8)}__"

        def default(obj):
            if isinstance(obj, Decimal):
                return f"{marker}{obj}"
            if isinstance(obj, date | datetime):
                return obj.isoformat()
            raise TypeError(f"{type(obj).__name__} is not JSON serializable")

        text = json.dumps(data, ensure_ascii=False, default=default, separators=(",", ":"))
        text = re.sub(rf'"{marker}(-?\d+(?:\.\d+)?)"', r"\1", text)
        return text.encode("utf-8")
