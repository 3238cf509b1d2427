"""Sign in and out, password change and reset, on the portal's own templates."""

from urllib.parse import urlsplit

import pytest
from django import forms
from django.contrib.auth import password_validation
from django.core import mail
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from devdata.demo import DEMO_PASSWORD
from partners.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_sign_in_leads_to_the_portal_home(client, buyer):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'for="id_username"' in page.content.decode() and "Sign in" in page.content.decode()

    response = client.post("/accounts/login/", {"username": "fernbuyer", "password": "bouquet-test"}, follow=True)

    assert response.redirect_chain[-1][0] == "/"
    assert "Good day" in response.content.decode()


def test_a_wrong_password_is_explained(client, buyer):
    response = client.post("/accounts/login/", {"username": "fernbuyer", "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_sign_out_is_a_post(portal):
    response = portal.post("/accounts/logout/")

    assert response.status_code == 302
    assert portal.get("/").status_code == 302


def test_password_change(portal):
    page = portal.get("/accounts/password_change/")
    assert page.status_code == 200

    response = portal.post(
        "/accounts/password_change/",
        {
            "old_password": "bouquet-test",
            "new_password1": "Tulips-in-Feb-13",
            "new_password2": "Tulips-in-Feb-13",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/done/"
    assert portal.get(response["Location"]).status_code == 200


def test_password_reset_mails_a_link(client, buyer):
    response = client.post("/accounts/password_reset/", {"email": buyer.email})

    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your Bouquet portal password"
    assert "/accounts/reset/" in mail.outbox[0].body


def test_password_reset_link_names_the_configured_domain_not_the_request_host(client, buyer, settings):
    client.post("/accounts/password_reset/", {"email": buyer.email}, HTTP_HOST="localhost")

    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    assert urlsplit(link.strip()).netloc == settings.SITE_DOMAIN == "127.0.0.1:8000"


def test_password_reset_link_sets_a_new_password(client):
    user = UserFactory(username="rosa")
    client.post("/accounts/password_reset/", {"email": user.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = urlsplit(link.strip()).path

    form = client.get(path, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Peonies-4-ever!", "new_password2": "Peonies-4-ever!"}
    )

    assert done.status_code == 302
    assert client.login(username="rosa", password="Peonies-4-ever!")


def test_a_password_needs_twelve_characters(buyer):
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password("Tulips-in-F", user=buyer)
    assert "at least 12 characters" in " ".join(refused.value.messages)

    password_validation.validate_password("Tulips-in-Fe", user=buyer)


def test_the_demo_password_meets_the_rules():
    """make run's demo users (devdata) sign in with it: it must pass what a user must pass."""
    assert len(DEMO_PASSWORD) >= 12
    password_validation.validate_password(DEMO_PASSWORD)


def test_the_portal_refuses_an_eleven_character_password_and_says_why(portal):
    response = portal.post(
        "/accounts/password_change/",
        {"old_password": "bouquet-test", "new_password1": "Tulips-in-F", "new_password2": "Tulips-in-F"},
    )

    assert response.status_code == 200
    assert "This password is too short. It must contain at least 12 characters." in response.content.decode()


def test_the_password_rules_are_listed_and_no_help_text_is_rendered_as_markup(portal):
    page = portal.get("/accounts/password_change/").content.decode()
    assert "<li>Your password must contain at least 12 characters.</li>" in page

    rendered = render_to_string("portal/auth/_form_fields.html", {"form": FormWithMarkupInItsHelp()})
    assert "&lt;b&gt;bold&lt;/b&gt;" in rendered and "<b>" not in rendered


class FormWithMarkupInItsHelp(forms.Form):
    nickname = forms.CharField(help_text="<b>bold</b>")
