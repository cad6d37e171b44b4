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
    AFTER_FIELDS,
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
    "AFTER_FIELDS",
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
from ledger.models.oversight import (  # noqa: E402
    DECISION_TRANSITIONS,
    RECOMMENDATION_TRANSITIONS,
    Decision,
    DecisionKind,
    DecisionStatus,
    Escalation,
    ObjectionOutcome,
    Recommendation,
    RecommendationKind,
    RecommendationObjection,
    RecommendationReply,
    RecommendationStatus,
    Rectification,
)

__all__ += [
    "DECISION_TRANSITIONS",
    "RECOMMENDATION_TRANSITIONS",
    "Decision",
    "DecisionKind",
    "DecisionStatus",
    "Escalation",
    "ObjectionOutcome",
    "Recommendation",
    "RecommendationKind",
    "RecommendationObjection",
    "RecommendationReply",
    "RecommendationStatus",
    "Rectification",
]
from ledger.models.claims import (  # noqa: E402
    CLAIM_TRANSITIONS,
    CONFIRMATION_REQUEST_TRANSITIONS,
    Claim,
    ClaimEvidence,
    ClaimStatus,
    Confirmation,
    ConfirmationRequestStatus,
    EvidenceKind,
)

__all__ += [
    "CLAIM_TRANSITIONS",
    "CONFIRMATION_REQUEST_TRANSITIONS",
    "Claim",
    "ClaimEvidence",
    "ClaimStatus",
    "Confirmation",
    "ConfirmationRequestStatus",
    "EvidenceKind",
]
from ledger.models.imports import ImportJob, ImportStatus  # noqa: E402

__all__ += ["ImportJob", "ImportStatus"]
from ledger.models.reports import (  # noqa: E402
    EXPORT_JOB_TRANSITIONS,
    ExportFormat,
    ExportJob,
    ExportJobStatus,
    ReportSnapshot,
    SavedFilter,
)

__all__ += ["EXPORT_JOB_TRANSITIONS", "ExportFormat", "ExportJob", "ExportJobStatus", "ReportSnapshot", "SavedFilter"]
