"""The password-reset request page is limited per e-mail address and per client
address (portal/password_reset.py, config/sign_in.py), so it cannot mail-bomb anyone;
a refusal is a clear message, sends nothing, and reads the same for any address."""

import re
import socket

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db

RESET = "/accounts/password_reset/"


def ask_reset(client, email, address="192.0.2.10"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def test_an_address_gets_three_resets_an_hour_from_anywhere(client, buyer, settings):
    assert (settings.PASSWORD_RESET_LIMIT_PER_EMAIL, settings.PASSWORD_RESET_WINDOW_SECONDS) == (3, 3600)
    for n in range(3):
        assert ask_reset(client, buyer.email, address=f"192.0.2.{n + 1}").status_code == 302

    refused = ask_reset(client, buyer.email, address="192.0.2.99")

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert (
        "Too many password-reset requests for this e-mail address or from your network. "
        "Please try again in 60 minutes." in refused.content.decode()
    )
    assert len(mail.outbox) == 3


def test_the_address_is_matched_whatever_its_case(client, buyer, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 1
    ask_reset(client, buyer.email.lower())

    assert ask_reset(client, buyer.email.upper(), address="192.0.2.50").status_code == 429


def test_a_client_gets_ten_requests_an_hour_whatever_the_addresses(client, settings):
    assert settings.PASSWORD_RESET_LIMIT_PER_IP == 10
    for n in range(10):
        assert ask_reset(client, f"someone{n}@example.com").status_code == 302

    assert ask_reset(client, "someone-else@example.com").status_code == 429
    assert ask_reset(client, "someone-else@example.com", address="192.0.2.11").status_code == 302


def test_an_unknown_address_is_counted_and_refused_alike(client, buyer, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 1
    ask_reset(client, buyer.email)
    ask_reset(client, "nobody@example.com")

    known = ask_reset(client, buyer.email, address="192.0.2.60")
    unknown = ask_reset(client, "nobody@example.com", address="192.0.2.61")

    assert known.status_code == unknown.status_code == 429
    assert page_body(known, without=buyer.email) == page_body(unknown, without="nobody@example.com")


def page_body(response, *, without: str) -> str:
    """The page's main part, less the address typed and the CSRF token (masked anew each time)."""
    main = response.content.decode().split("<main")[1].replace(without, "")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)


def test_the_window_ends_and_the_address_may_ask_again(client, buyer, settings):
    from django_redis import get_redis_connection

    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 1
    ask_reset(client, buyer.email)
    assert ask_reset(client, buyer.email).status_code == 429

    # The window is a Redis expiry; end it as time would.
    redis = get_redis_connection("default")
    for key in redis.scan_iter("*password-reset:*"):
        redis.delete(key)

    assert ask_reset(client, buyer.email).status_code == 302


def test_without_redis_the_request_goes_ahead(client, buyer, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 0  # with Redis up, every request would be refused
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
        }
    }

    response = ask_reset(client, buyer.email)

    assert response.status_code == 302
    assert len(mail.outbox) == 1
