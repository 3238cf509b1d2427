"""API tokens: stored hashed, expiring, revocable; the data migration that carries DRF's
keys over; `manage.py drf_create_token`."""

import importlib
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import connection

from partners.exceptions import ApiTokenExpiredError, ApiTokenRevokedError, InvalidApiTokenError
from partners.factories import MembershipFactory, UserFactory
from partners.models import ApiToken
from partners.tokens import check_api_token_usable, find_api_token, hash_api_key, issue_api_token, revoke_api_tokens
from tests.support.api import client_with_key

pytestmark = pytest.mark.django_db


def stored_rows_as_text() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(string_agg(row_to_json(t)::text, ' '), '') FROM partners_apitoken t")
        return cursor.fetchone()[0]


def test_the_database_holds_the_keys_hash_and_prefix_never_the_key():
    issued = issue_api_token(user=UserFactory(username="fern"))

    stored = stored_rows_as_text()
    assert re.fullmatch(r"[0-9a-f]{40}", issued.key)
    assert issued.key not in stored and issued.key[8:] not in stored
    assert hash_api_key(issued.key) in stored and issued.token.prefix == issued.key[:8]
    assert "authtoken_token" not in connection.introspection.table_names()


def test_the_key_finds_its_token_and_nothing_else_does():
    issued = issue_api_token(user=UserFactory(username="fern"))

    assert find_api_token(key=issued.key) == issued.token
    for wrong in (issued.key[:-1] + ("0" if issued.key[-1] != "0" else "1"), issued.key[:8], "x" * 41, "\x00" * 40):
        with pytest.raises(InvalidApiTokenError):
            find_api_token(key=wrong)


def test_a_token_expires_api_token_days_after_it_is_issued(settings):
    settings.API_TOKEN_DAYS = 30
    token = issue_api_token(user=UserFactory(username="fern")).token

    assert token.expires_at == token.created_at + timedelta(days=30)
    check_api_token_usable(token=token, now=token.expires_at - timedelta(seconds=1))
    with pytest.raises(ApiTokenExpiredError, match=rf"The API token {token.prefix}… expired on "):
        check_api_token_usable(token=token, now=token.expires_at)


def test_with_api_token_days_zero_a_token_never_expires(settings):
    settings.API_TOKEN_DAYS = 0
    token = issue_api_token(user=UserFactory(username="fern")).token

    assert token.expires_at is None
    check_api_token_usable(token=token, now=token.created_at + timedelta(days=10_000))


def test_a_revoked_token_is_refused_and_revoking_again_changes_nothing(django_capture_on_commit_callbacks):
    issued = issue_api_token(user=UserFactory(username="fern"))

    with django_capture_on_commit_callbacks() as bumps:
        assert revoke_api_tokens(tokens=ApiToken.objects.filter(pk=issued.token.pk)) == 1
    assert len(bumps) == 1  # the credentials version, so every process forgets the token
    revoked_at = ApiToken.objects.get().revoked_at
    assert revoke_api_tokens(tokens=ApiToken.objects.all()) == 0
    assert ApiToken.objects.get().revoked_at == revoked_at
    with pytest.raises(ApiTokenRevokedError, match=rf"The API token {issued.token.prefix}… was revoked on "):
        find_api_token(key=issued.key)


def test_replacing_revokes_the_users_earlier_tokens_only():
    fern, rosa = UserFactory(username="fern"), UserFactory(username="rosa")
    old, rosas = issue_api_token(user=fern), issue_api_token(user=rosa)

    new = issue_api_token(user=fern, replace=True)

    assert find_api_token(key=new.key) == new.token
    assert find_api_token(key=rosas.key) == rosas.token
    with pytest.raises(ApiTokenRevokedError):
        find_api_token(key=old.key)


def test_the_migration_carries_drfs_keys_over_hashed_and_empties_drfs_table(settings):
    settings.API_TOKEN_DAYS = 365
    fern = UserFactory(username="fern")
    old_key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    with connection.cursor() as cursor:
        # DRF's table as rest_framework.authtoken left it (the test database never had it).
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz NOT NULL,"
            " user_id integer NOT NULL UNIQUE)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, now() - interval '2 years', %s)", [old_key, fern.pk])
    migration = importlib.import_module("partners.migrations.0003_api_tokens")

    with connection.schema_editor() as editor:
        migration.carry_authtoken_keys(apps, editor)

    token = find_api_token(key=old_key)
    assert token.user == fern and token.prefix == "9944b091" and token.revoked_at is None
    assert token.expires_at - token.created_at > timedelta(days=365 * 2)  # a year from the migration
    assert old_key not in stored_rows_as_text()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0


def test_drf_create_token_is_ours_and_prints_a_key_that_authenticates(account_buyer):
    MembershipFactory(partner=account_buyer, user=UserFactory(username="fern"))
    out = StringIO()

    call_command("drf_create_token", "fern", stdout=out)

    assert get_commands()["drf_create_token"] == "partners"
    match = re.fullmatch(r"Generated token ([0-9a-f]{40}) for user fern\n", out.getvalue())
    assert match, out.getvalue()
    assert client_with_key(match.group(1)).get("/api/v1/orders/").status_code == 200


def test_drf_create_token_issues_a_new_key_each_time_and_reset_revokes_the_earlier_ones():
    fern = UserFactory(username="fern")

    def create(*flags) -> str:
        out = StringIO()
        call_command("drf_create_token", "fern", *flags, stdout=out)
        return out.getvalue().split()[2]

    first, second = create(), create()
    assert first != second
    assert find_api_token(key=first).user == find_api_token(key=second).user == fern

    third = create("-r")

    assert find_api_token(key=third).user == fern
    for earlier in (first, second):
        with pytest.raises(ApiTokenRevokedError):
            find_api_token(key=earlier)


def test_drf_create_token_for_an_unknown_user_says_so():
    with pytest.raises(CommandError, match="user nobody does not exist"):
        call_command("drf_create_token", "nobody")
    assert not ApiToken.objects.exists()
