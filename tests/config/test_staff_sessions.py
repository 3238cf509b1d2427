"""Staff sessions end with the browser and at most STAFF_SESSION_SECONDS after sign-in
(config/staff_sessions.py); partners' sessions keep SESSION_COOKIE_AGE."""

import time

import pytest
from django.conf import settings as django_settings

from config.staff_sessions import SIGNED_IN_AT
from partners.factories import UserFactory
from tests.support.api import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk", is_staff=True, is_superuser=True)


def sign_in_to_the_admin(client):
    response = client.post("/admin/login/", {"username": "clerk", "password": "bouquet-test", "next": "/admin/"})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def age_the_session(client, seconds: float):
    session = client.session
    session[SIGNED_IN_AT] -= seconds
    session.save()


def test_a_staff_session_cookie_ends_with_the_browser(client, clerk, settings):
    assert settings.STAFF_SESSION_SECONDS == 8 * 3600

    response = sign_in_to_the_admin(client)

    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert client.get("/admin/").status_code == 200


def test_a_partner_session_keeps_two_weeks(client, buyer, settings):
    assert settings.SESSION_COOKIE_AGE == 14 * 24 * 3600

    response = client.post("/accounts/login/", {"username": "fernbuyer", "password": "bouquet-test"})

    assert response.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"] == 14 * 24 * 3600
    assert SIGNED_IN_AT not in client.session


def test_a_staff_session_ends_after_its_time_however_busy(client, clerk, settings):
    sign_in_to_the_admin(client)
    age_the_session(client, settings.STAFF_SESSION_SECONDS - 60)
    assert client.get("/admin/").status_code == 200, "a minute before its end the session still works"

    age_the_session(client, 61)
    response = client.get("/admin/")

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    login_page = client.get(response["Location"]).content.decode()
    assert "Your back-office session has ended. Please sign in again." in login_page
    assert client.get("/admin/").status_code == 302, "the session is gone, not only this request refused"


def test_the_length_is_a_setting(client, clerk, settings):
    settings.STAFF_SESSION_SECONDS = 600
    sign_in_to_the_admin(client)

    age_the_session(client, 601)

    assert client.get("/admin/").status_code == 302


def test_a_staff_session_started_elsewhere_is_stamped_on_its_first_request(client, clerk):
    client.force_login(clerk)
    before = time.time()

    assert client.get("/admin/").status_code == 200

    assert before <= client.session[SIGNED_IN_AT] <= time.time()
    assert client.session.get_expire_at_browser_close()


def test_a_partner_session_is_never_cut_short(client, buyer, settings):
    client.force_login(buyer)
    session = client.session
    session[SIGNED_IN_AT] = time.time() - settings.STAFF_SESSION_SECONDS - 1
    session.save()

    assert client.get("/").status_code == 200


def test_a_staff_api_token_starts_no_session(clerk):
    response = client_for(clerk).get("/api/v1/orders/")

    assert response.status_code == 200
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies
