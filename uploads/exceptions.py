"""Why a partner may not start an upload now (the quota in uploads/quota.py)."""

from config.errors import ConflictError


class UploadInFlightError(ConflictError):
    """One of the partner's uploads is still queued or being processed."""

    code = "upload_in_flight"


class UploadQuotaExceededError(ConflictError):
    """The partner has started its hour's worth of uploads."""

    code = "upload_quota_exceeded"
