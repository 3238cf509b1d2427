from config.errors import DomainError, NotFoundError


class PartnerError(DomainError):
    code = "partner_error"


class PartnerNotFoundError(NotFoundError):
    """No partner has the code asked for (a 404 at the API)."""

    code = "partner_not_found"


class InvalidShipToError(PartnerError):
    """A ship-to that is not one of the ordering partner's addresses; `errors` holds
    the one problem, with its field, for callers that gather problems in a list."""

    code = "invalid_ship_to"


class InvalidApiTokenError(PartnerError):
    """A key that no API token has."""

    code = "authentication_failed"


class ApiTokenRevokedError(PartnerError):
    code = "token_revoked"


class ApiTokenExpiredError(PartnerError):
    code = "token_expired"


class ShipToNotFoundError(NotFoundError):
    """No address with that id, or (for a partner's user) none of the partner's (a 404
    at the API: another partner's address is as unknown as one never made)."""

    code = "ship_to_not_found"
