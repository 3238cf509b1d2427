"""A smoke test of the browser set-up: the back office's login in real Chromium."""

import pytest

from partners.factories import UserFactory
from tests.support.browser import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


def test_staff_sign_in_to_the_back_office(page, screenshot):
    UserFactory(username="clerk", is_staff=True, is_superuser=True)

    log_in(page, "clerk", "bouquet-test", login_path="/admin/login/")

    page.wait_for_selector("text=Bouquet back office")
    assert page.url.endswith("/admin/")
    assert screenshot("admin-home").exists()
