"""SQL implementations of the repository ports in ``core.ports``, one module per aggregate."""

from storage.repositories.audit import SqlAuditLog
from storage.repositories.catalog import SqlCatalogRepository
from storage.repositories.clips import SqlClipRepository
from storage.repositories.deliveries import SqlDeliveryRepository
from storage.repositories.policies import SqlPolicyRepository
from storage.repositories.quota import SqlQuotaLedger
from storage.repositories.render_cache import SqlRenderCache
from storage.repositories.requests import SqlRequestRepository
from storage.repositories.revenue import SqlRevenueRepository
from storage.repositories.users import SqlUserRepository

__all__ = [
    "SqlAuditLog",
    "SqlCatalogRepository",
    "SqlClipRepository",
    "SqlDeliveryRepository",
    "SqlPolicyRepository",
    "SqlQuotaLedger",
    "SqlRenderCache",
    "SqlRequestRepository",
    "SqlRevenueRepository",
    "SqlUserRepository",
]
