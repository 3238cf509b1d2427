"""Who a user acts for: the one rule behind the API's permissions, the portal and the cart."""

import pytest
from django.contrib.auth.models import AnonymousUser

from config.callers import caller_partner
from partners.factories import MembershipFactory, PartnerFactory, UserFactory
from partners.models import Membership

pytestmark = pytest.mark.django_db


def test_a_member_acts_for_its_partner():
    partner = PartnerFactory(code="FERN")
    user = UserFactory(username="fernbuyer")
    MembershipFactory(user=user, partner=partner)

    assert caller_partner(user) == partner


def test_staff_act_for_no_partner_even_as_a_member():
    staff = UserFactory(username="clerk", is_staff=True)
    MembershipFactory(user=staff, partner=PartnerFactory(code="FERN"))

    assert caller_partner(staff) is None


def test_a_user_of_no_partner_and_an_anonymous_visitor_act_for_none():
    assert caller_partner(UserFactory(username="drifter")) is None
    assert caller_partner(AnonymousUser()) is None


def test_a_membership_loaded_with_its_partner_costs_no_query(django_assert_num_queries):
    user = UserFactory(username="fernbuyer")
    MembershipFactory(user=user, partner=PartnerFactory(code="FERN"))
    user.membership = Membership.objects.select_related("partner").get(user=user)

    with django_assert_num_queries(0):
        assert caller_partner(user).code == "FERN"
