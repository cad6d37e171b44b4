"""Who reads credit data (registered from CreditConfig.ready; docs/adr/0004-credit-repair.md).

- Dishonesty records: the global roles read everything (SPEC §1); staff of the subject agency read
  their own agency's records (and those of agencies merged into it), so they learn of a
  rectification order and can perform; enterprises see none. Only credit officers write.
- Export batches, rows and receipts: credit officers only — a batch holds every agency's records
  and is what was sent to the platform; anyone else gets 404 on a batch and an empty list.
- The publicity-window table is reference data every signed-in user reads.
"""

from django.db.models import QuerySet

from credit import models as m
from ledger.models import Role, User
from ledger.selectors.scoping import Tenancy, register_tenancy


def credit_officers_only(user: User, qs: QuerySet) -> QuerySet:
    return qs if user.role == Role.CREDIT_OFFICER or user.is_superuser else qs.none()


def register() -> None:
    register_tenancy(m.PublicityWindowRule, Tenancy(public=True))
    register_tenancy(m.DishonestyRecord, Tenancy(agency_path="subject_agency"))
    register_tenancy(m.RecordEvent, Tenancy(agency_path="record__subject_agency"))
    for model in (m.ExportSequence, m.ExportBatch, m.ExportRow, m.ExportReceipt, m.ExportReceiptLine):
        register_tenancy(model, Tenancy(custom=credit_officers_only))
