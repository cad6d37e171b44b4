from ledger.models.accounts import AccessLog, ApiToken, LoginFailure, Role, User
from ledger.models.parties import Agency, AgencyKind, Enterprise, EnterpriseScale, Ownership, Scale, Tenure, UnitGroup
from ledger.models.plan import PlanTask, PlanTaskProgress
from ledger.models.reference import CalendarOverride, LprRate

__all__ = [
    "AccessLog",
    "Agency",
    "AgencyKind",
    "ApiToken",
    "CalendarOverride",
    "Enterprise",
    "EnterpriseScale",
    "LoginFailure",
    "LprRate",
    "Ownership",
    "PlanTask",
    "PlanTaskProgress",
    "Role",
    "Scale",
    "Tenure",
    "UnitGroup",
    "User",
]
from ledger.models.obligations import (  # noqa: E402
    AllocationRule,
    ConfirmationStatus,
    DeliveryMode,
    EntryKind,
    LedgerEntry,
    Obligation,
    Outcome,
    Policy,
    Redemption,
    RedemptionStatus,
    RefusalReason,
    Regime,
    Source,
    Trigger,
)

__all__ += [
    "AllocationRule",
    "ConfirmationStatus",
    "DeliveryMode",
    "EntryKind",
    "LedgerEntry",
    "Obligation",
    "Outcome",
    "Policy",
    "Redemption",
    "RedemptionStatus",
    "RefusalReason",
    "Regime",
    "Source",
    "Trigger",
]
from ledger.models.notifications import Notification  # noqa: E402

__all__ += ["Notification"]
