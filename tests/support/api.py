"""Calling the API as a given user."""

from rest_framework.test import APIClient

from partners.tokens import issue_api_token

# A product the staff API may create: every field of a product PUT, well formed.
NEW_ROSE = {
    "name": "White rose 60 cm",
    "unit": "stem",
    "category": "roses",
    "case_pack": 20,
    "min_order_qty": 40,
    "list_price": "0.55",
    "active": True,
}


def client_with_key(key: str) -> APIClient:
    """An API client that sends `Authorization: Token <key>`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def client_for(user) -> APIClient:
    """An API client that authenticates with a new token of the user's."""
    return client_with_key(issue_api_token(user=user).key)


def key_of(client: APIClient) -> str:
    """The token key a client from `client_for` sends."""
    return client._credentials["HTTP_AUTHORIZATION"].split()[1]
