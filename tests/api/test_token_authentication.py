"""`Authorization: Bearer <key>` (or `Token <key>`): refused with a code saying why, cached per process
with one query on a miss and none on a hit, and a revocation seen at once by every
process."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import update_last_login
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed

from config.credentials import credentials_version
from partners.api.authentication import PartnerTokenAuthentication
from partners.factories import MembershipFactory, UserFactory
from partners.models import ApiToken
from partners.tokens import issue_api_token, revoke_api_tokens
from tests.support.api import client_for, client_with_key, key_of
from tests.support.processes import run_in_another_process
from tests.support.roles import erp_user

ORDERS = "/api/v1/orders/"
STOCK = "/api/v1/stock/"


@pytest.fixture
def fern(account_buyer):
    return MembershipFactory(partner=account_buyer, user=UserFactory(username="fern")).user


@pytest.mark.django_db
def test_an_unknown_key_is_401_authentication_failed(fern):
    answer = client_with_key("0" * 40).get(ORDERS)

    assert answer.status_code == 401 and answer["WWW-Authenticate"] == "Bearer"
    assert answer.json() == {"code": "authentication_failed", "detail": "Invalid token."}


@pytest.mark.django_db
def test_a_token_past_its_expiry_is_401_token_expired(fern):
    api = client_with_key(issue_api_token(user=fern).key)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    answer = api.get(ORDERS)

    assert answer.status_code == 401
    assert answer.json()["code"] == "token_expired"
    assert answer.json()["detail"].startswith(f"The API token {key_of(api)[:8]}… expired on ")


@pytest.mark.django_db
def test_a_cached_token_is_refused_once_its_expiry_passes(fern):
    key = issue_api_token(user=fern).key
    authentication = PartnerTokenAuthentication()
    _, cached = authentication.authenticate_credentials(key)
    cached.expires_at = timezone.now() - timedelta(seconds=1)  # the cached entry's expiry, now passed

    with pytest.raises(AuthenticationFailed) as refused:
        authentication.authenticate_credentials(key)

    assert refused.value.get_codes() == "token_expired"


@pytest.mark.django_db
def test_a_revoked_token_is_401_token_revoked_at_once(fern, django_capture_on_commit_callbacks):
    api = client_with_key(issue_api_token(user=fern).key)
    assert api.get(ORDERS).status_code == 200  # now cached in this process

    with django_capture_on_commit_callbacks(execute=True):
        revoke_api_tokens(tokens=ApiToken.objects.all())
    answer = api.get(ORDERS)

    assert answer.status_code == 401
    assert answer.json()["code"] == "token_revoked"
    assert answer.json()["detail"].startswith(f"The API token {key_of(api)[:8]}… was revoked on ")


@pytest.mark.django_db
def test_a_user_deactivated_is_refused_at_the_tokens_next_request(fern, django_capture_on_commit_callbacks):
    api = client_with_key(issue_api_token(user=fern).key)
    assert api.get(ORDERS).status_code == 200  # now cached in this process

    fern.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        fern.save()
    answer = api.get(ORDERS)

    assert answer.status_code == 401 and answer.json()["detail"] == "User inactive or deleted."


@pytest.mark.django_db
def test_a_group_taken_away_is_seen_at_the_tokens_next_request(django_capture_on_commit_callbacks):
    erp = erp_user()
    api = client_for(erp)
    assert api.get(STOCK).status_code == 200  # cached here, with the group's permissions

    with django_capture_on_commit_callbacks(execute=True):
        erp.groups.clear()
    answer = api.get(STOCK)

    assert answer.status_code == 403 and answer.json()["code"] == "permission_denied"


@pytest.mark.django_db
def test_a_sign_in_keeps_the_cached_tokens(fern, django_capture_on_commit_callbacks):
    before = credentials_version()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        update_last_login(None, fern)

    assert not callbacks and credentials_version() == before


@pytest.mark.django_db
def test_a_miss_costs_one_query_and_a_cached_token_none(fern, django_assert_num_queries):
    key = issue_api_token(user=fern).key
    authentication = PartnerTokenAuthentication()

    with django_assert_num_queries(1):
        user, token = authentication.authenticate_credentials(key)
    with django_assert_num_queries(0):
        assert authentication.authenticate_credentials(key) == (user, token)
    assert user == fern and user.membership.partner.code == "FERN"


@pytest.mark.django_db(transaction=True)
def test_a_token_revoked_by_another_process_is_refused_here_on_the_next_request(fern):
    api = client_with_key(issue_api_token(user=fern, label="erp").key)
    assert api.get(ORDERS).status_code == 200  # now cached in this process

    run_in_another_process(
        "from partners.models import ApiToken\n"
        "from partners.tokens import revoke_api_tokens\n"
        "revoke_api_tokens(tokens=ApiToken.objects.filter(label='erp'))\n"
    )

    answer = api.get(ORDERS)
    assert answer.status_code == 401 and answer.json()["code"] == "token_revoked"


@pytest.mark.django_db
@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "Token"])
def test_the_key_is_accepted_after_bearer_as_generated_clients_send_it_and_after_token(fern, scheme):
    client = client_with_key("unused")
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {issue_api_token(user=fern).key}")

    assert client.get(ORDERS).status_code == 200


@pytest.mark.django_db
def test_the_schema_declares_the_bearer_scheme_generators_turn_into_the_right_header(client):
    schemes = client.get("/api/schema/", {"format": "json"}).json()["components"]["securitySchemes"]

    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    assert not [s for s in schemes.values() if s.get("in") == "header"]
