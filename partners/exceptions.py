from config.errors import DomainError


class PartnerError(DomainError):
    code = "partner_error"
