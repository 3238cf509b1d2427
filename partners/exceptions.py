from config.errors import DomainError, NotFoundError


class PartnerError(DomainError):
    code = "partner_error"


class PartnerNotFoundError(NotFoundError):
    """No partner has the code asked for (a 404 at the API)."""

    code = "partner_not_found"
