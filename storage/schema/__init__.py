"""The tables, as SQLAlchemy declarative models, one module per area; import from here.

``storage.schema.base`` holds the declarative base (naming convention, id
and code columns); each area's module defines its tables on it, and this
front imports them all so ``metadata`` knows every table (Alembic compares
it with the migrations).
"""

from storage.schema.base import CODE, ID, NAMING, Base, metadata
from storage.schema.catalog import (
    LicenseVersionRow,
    OptDeclarationRow,
    PartyRow,
    RecordingRow,
    ShareRow,
    VoiceModelRow,
    WorkRow,
)
from storage.schema.moderation import AuditRow, ReportReasonRow, ReportResolutionRow, ReportRow
from storage.schema.people import QuotaAccountRow, QuotaEntryRow, ScopePolicyRow, UserRow
from storage.schema.requests import (
    ChatButtonRow,
    ClipRow,
    DeliveryRow,
    MaintenanceLeaseRow,
    RenderCacheRow,
    RenderRequestRow,
    TakedownRow,
)
from storage.schema.revenue import (
    REVENUE_RECORDS,
    RevenueEntryRow,
    RevenueLegRow,
    RevenueRateRow,
    RunPoolBasisRow,
    TierGrantRow,
)
from storage.schema.royalties import (
    KEY,
    PERIOD,
    ROYALTY_TABLES,
    AllocationRunRow,
    AllocationUsageRow,
    FraudFlagRow,
    LedgerEntryRow,
    LedgerPostingRow,
    PeriodCloseRow,
    PlayEventRow,
    PlayQualificationRow,
    RoyaltyPeriodRow,
    RunReversalRow,
)
from storage.schema.studio import (
    StudioAccountRow,
    StudioInviteRow,
    StudioMembershipRow,
    StudioRecoveryCodeRow,
    StudioSessionRow,
)
from storage.schema.voice import VoiceProfileRow

__all__ = [
    "CODE",
    "ID",
    "KEY",
    "NAMING",
    "PERIOD",
    "REVENUE_RECORDS",
    "ROYALTY_TABLES",
    "AllocationRunRow",
    "AllocationUsageRow",
    "AuditRow",
    "Base",
    "ChatButtonRow",
    "ClipRow",
    "DeliveryRow",
    "FraudFlagRow",
    "LedgerEntryRow",
    "LedgerPostingRow",
    "LicenseVersionRow",
    "MaintenanceLeaseRow",
    "OptDeclarationRow",
    "PartyRow",
    "PeriodCloseRow",
    "PlayEventRow",
    "PlayQualificationRow",
    "QuotaAccountRow",
    "QuotaEntryRow",
    "RecordingRow",
    "RenderCacheRow",
    "RenderRequestRow",
    "ReportReasonRow",
    "ReportResolutionRow",
    "ReportRow",
    "RevenueEntryRow",
    "RevenueLegRow",
    "RevenueRateRow",
    "RoyaltyPeriodRow",
    "RunPoolBasisRow",
    "RunReversalRow",
    "ScopePolicyRow",
    "ShareRow",
    "StudioAccountRow",
    "StudioInviteRow",
    "StudioMembershipRow",
    "StudioRecoveryCodeRow",
    "StudioSessionRow",
    "TakedownRow",
    "TierGrantRow",
    "UserRow",
    "VoiceModelRow",
    "VoiceProfileRow",
    "WorkRow",
    "metadata",
]
