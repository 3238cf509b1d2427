"""API tokens in the back office: a new key is shown once on the answer page, never in
a cookie or a list; tokens are listed by prefix and revoked at once."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.factories import MembershipFactory
from partners.models import ApiToken
from partners.tokens import hash_api_key, issue_api_token
from tests.support.admin import change_url, changelist, messages_of, run_action
from tests.support.api import client_with_key

pytestmark = pytest.mark.django_db


def keys_on(page) -> list[str]:
    return re.findall(r'class="api-token-key">(\w+)<', page.content.decode())


def test_a_new_key_is_shown_once_on_an_uncached_page_and_in_no_cookie(staff_client, account_buyer):
    membership = MembershipFactory(partner=account_buyer, user__username="fern")

    page = staff_client.post(
        changelist("partners.membership"), {"action": "create_api_token", "_selected_action": [membership.pk]}
    )

    [key] = keys_on(page)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert hash_api_key(key) == ApiToken.objects.get(user=membership.user).key_hash
    assert all(key not in cookie.value for cookie in page.cookies.values())
    later = [staff_client.get(changelist("partners.apitoken")), staff_client.get(changelist("partners.membership"))]
    later.append(staff_client.get(change_url(ApiToken.objects.get())))
    assert all(answer.status_code == 200 and key not in answer.content.decode() for answer in later)
    assert all(key not in message for answer in later for message in messages_of(answer))
    assert client_with_key(key).get("/api/v1/orders/").status_code == 200


def test_the_partner_action_shows_a_key_for_each_of_its_users(staff_client, account_buyer):
    fern = MembershipFactory(partner=account_buyer, user__username="fern").user
    moss = MembershipFactory(partner=account_buyer, user__username="moss").user

    page = run_action(staff_client, "partners.partner", "create_api_tokens_for_users", [account_buyer])

    keys = keys_on(page)
    assert sorted(ApiToken.objects.values_list("key_hash", flat=True)) == sorted(hash_api_key(k) for k in keys)
    assert {ApiToken.objects.get(key_hash=hash_api_key(k)).user for k in keys} == {fern, moss}


def test_the_token_list_shows_prefixes_and_dates_never_keys(staff_client, account_buyer):
    issued = issue_api_token(user=MembershipFactory(partner=account_buyer, user__username="fern").user, label="ERP")

    page = staff_client.get(changelist("partners.apitoken")).content.decode()

    assert f"{issued.token.prefix}…" in page and "ERP" in page and "fern" in page
    assert issued.key not in page and issued.token.key_hash not in page
    assert staff_client.get(reverse("admin:partners_apitoken_add")).status_code == 403


def test_drfs_token_admin_and_its_key_list_are_gone(staff_client):
    assert staff_client.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert "authtoken" not in staff_client.get(reverse("admin:index")).content.decode()


def test_revoking_in_the_admin_stops_the_token_at_once(staff_client, account_buyer, django_capture_on_commit_callbacks):
    issued = issue_api_token(user=MembershipFactory(partner=account_buyer, user__username="fern").user)
    api = client_with_key(issued.key)
    assert api.get("/api/v1/orders/").status_code == 200  # now cached in this process

    with django_capture_on_commit_callbacks(execute=True):
        page = run_action(staff_client, "partners.apitoken", "revoke_tokens", [issued.token])

    assert messages_of(page) == ["Revoked 1 API token(s)."]
    assert ApiToken.objects.get().revoked_at is not None
    answer = api.get("/api/v1/orders/")
    assert answer.status_code == 401 and answer.json()["code"] == "token_revoked"


def test_the_membership_list_counts_only_a_usable_token(staff_client, account_buyer):
    membership = MembershipFactory(partner=account_buyer, user__username="fern")
    issue_api_token(user=membership.user)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    page = staff_client.get(changelist("partners.membership")).content.decode()

    assert "icon-no.svg" in page and "icon-yes.svg" not in page
