"""Publishing a report: it is frozen as an immutable snapshot (SPEC §2).

The snapshot keeps the whole document as the exact bytes that were published, with its as-of
date and creation time, so it can be shown again byte for byte after back-dated corrections.
Nothing updates or deletes a snapshot.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.db import transaction

from ledger import clock
from ledger.models import ReportSnapshot, User
from ledger.reports.registry import ReportContext, SectionSpec
from ledger.reports.render import dumps, section_document
from ledger.selectors.reports import ReportParams


def report_document(*, spec: SectionSpec, user: User, params: ReportParams) -> dict:
    return section_document(spec.fn(ReportContext(user=user, params=params)), params)


@transaction.atomic
def report_publish(*, actor: User, spec: SectionSpec, params: ReportParams) -> ReportSnapshot:
    created_at = clock.now()
    report = report_document(spec=spec, user=actor, params=params)
    as_of = params.as_of if params.year is None else report_year_end(params.year)
    document = {
        "kind": spec.key,
        "title": report["title"],
        "as_of": as_of,
        "params": params.as_dict(),
        "published_at": created_at,
        "published_by": actor.username,
        "report": report,
    }
    body = dumps(document)
    return ReportSnapshot.objects.create(
        kind=spec.key,
        title=report["title"],
        params={k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in params.as_dict().items()},
        as_of=as_of,
        created_at=created_at,
        created_by=actor,
        document=body.decode("utf-8"),
        sha256=hashlib.sha256(body).hexdigest(),
    )


def report_year_end(year: int) -> date:
    return date(year, 12, 31)
