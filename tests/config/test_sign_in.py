"""Brute-force protection on the portal's and the admin's sign-in (django-axes through
config/sign_in.py): a username is locked on one client address after
SIGN_IN_FAILURE_LIMIT failures, the lockout page names no one, a success clears the
count, the lock lifts after the cool-off; and the client's address behind a proxy."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.utils import timezone

from config.sign_in import client_ip_address
from partners.factories import UserFactory

pytestmark = pytest.mark.django_db

PORTAL_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def fail_to_sign_in(client, path, username, times, **extra):
    response = None
    for _ in range(times):
        response = client.post(path, {"username": username, "password": "not-the-password"}, **extra)
    return response


def sign_in(client, path, username, **extra):
    return client.post(path, {"username": username, "password": "bouquet-test"}, **extra)


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk", is_staff=True, is_superuser=True)


def test_the_portal_locks_a_username_after_five_failures(client, buyer, settings):
    assert settings.AXES_FAILURE_LIMIT == 5

    fourth = fail_to_sign_in(client, PORTAL_LOGIN, "fernbuyer", 4)
    assert fourth.status_code == 200
    assert "Please enter a correct username and password" in fourth.content.decode()

    fifth = fail_to_sign_in(client, PORTAL_LOGIN, "fernbuyer", 1)
    assert fifth.status_code == 429
    assert fifth["Retry-After"] == "900"
    page = fifth.content.decode()
    assert "Sign-in paused" in page and "paused for 15 minutes" in page
    assert "fernbuyer" not in page

    # Locked, the right password is refused too, and nobody is signed in.
    right = sign_in(client, PORTAL_LOGIN, "fernbuyer")
    assert right.status_code == 429
    assert client.get("/").status_code == 302


def test_the_admin_locks_a_username_after_five_failures_with_its_own_page(client, clerk):
    fail_to_sign_in(client, ADMIN_LOGIN, "clerk", 4)

    locked = fail_to_sign_in(client, ADMIN_LOGIN, "clerk", 1)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Bouquet back office" in page and "paused for 15 minutes" in page
    assert "clerk" not in page

    assert sign_in(client, ADMIN_LOGIN, "clerk").status_code == 429
    assert client.get("/admin/").status_code == 302


def test_the_lock_holds_on_the_username_and_address_together(client, buyer):
    fail_to_sign_in(client, PORTAL_LOGIN, "fernbuyer", 5)

    # The same user from another address, and another user from this one, still sign in.
    assert sign_in(client, PORTAL_LOGIN, "fernbuyer", REMOTE_ADDR="198.51.100.7").status_code == 302
    client.post("/accounts/logout/")
    UserFactory(username="rosa")
    assert sign_in(client, PORTAL_LOGIN, "rosa").status_code == 302


def test_a_failed_attempt_is_stored_without_its_password(client, buyer):
    fail_to_sign_in(client, PORTAL_LOGIN, "fernbuyer", 1)

    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == 1
    assert "not-the-password" not in attempt.post_data


def test_an_unknown_username_is_locked_the_same_way(client, buyer):
    known = fail_to_sign_in(client, PORTAL_LOGIN, "fernbuyer", 5)
    unknown = fail_to_sign_in(client, PORTAL_LOGIN, "nobody-here", 5)

    assert known.status_code == unknown.status_code == 429
    # The pages differ only by the CSRF token the portal's layout carries.
    assert known.content.decode().split("<main")[1] == unknown.content.decode().split("<main")[1]


def test_a_success_clears_the_failures(client, buyer):
    fail_to_sign_in(client, PORTAL_LOGIN, "fernbuyer", 4)
    assert sign_in(client, PORTAL_LOGIN, "fernbuyer").status_code == 302
    client.post("/accounts/logout/")

    again = fail_to_sign_in(client, PORTAL_LOGIN, "fernbuyer", 4)

    assert again.status_code == 200
    assert sign_in(client, PORTAL_LOGIN, "fernbuyer").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, buyer, settings):
    fail_to_sign_in(client, PORTAL_LOGIN, "fernbuyer", 5)
    assert sign_in(client, PORTAL_LOGIN, "fernbuyer").status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))

    assert sign_in(client, PORTAL_LOGIN, "fernbuyer").status_code == 302


def test_the_limits_are_settings(client, buyer, settings):
    settings.AXES_FAILURE_LIMIT = 2

    assert fail_to_sign_in(client, PORTAL_LOGIN, "fernbuyer", 1).status_code == 200
    assert fail_to_sign_in(client, PORTAL_LOGIN, "fernbuyer", 1).status_code == 429


def test_behind_the_proxy_each_client_is_counted_by_its_own_address(client, buyer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.5"}

    fail_to_sign_in(client, PORTAL_LOGIN, "fernbuyer", 5, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)

    assert sign_in(client, PORTAL_LOGIN, "fernbuyer", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code == 429
    other = sign_in(client, PORTAL_LOGIN, "fernbuyer", HTTP_X_FORWARDED_FOR="203.0.113.10", **proxy)
    assert other.status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.5"),  # no proxy trusted: the header is the client's own
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # the left entry was written by the client
        (2, "1.2.3.4, 203.0.113.9, 10.0.0.4", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.5"),  # shorter than promised: the connection's address
        (1, "not-an-address", "10.0.0.5"),
        (1, "", "10.0.0.5"),
    ],
)
def test_the_client_address_is_read_past_the_trusted_proxies(settings, proxies, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded_for)

    assert client_ip_address(request) == expected
