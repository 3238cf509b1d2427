"""API tokens for integration clients and partner users."""


def issue_api_token(*, user):
    """Give the user an API token and return it. A user keeps one token: to rotate it,
    delete the old one first (PartnerError otherwise)."""
    from rest_framework.authtoken.models import Token

    from partners.exceptions import PartnerError

    if Token.objects.filter(user=user).exists():
        raise PartnerError(
            f"{user.get_username()} already has an API token; delete it under Auth Token to issue a new one.",
            code="token_exists",
        )
    return Token.objects.create(user=user)
