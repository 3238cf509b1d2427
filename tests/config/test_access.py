"""The API's access rule: staff may call only the methods a view declares, each with
the model permissions it names; partner users only the methods opened to them; a view
that declares nothing answers no one."""

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from config.api.access import staff_may
from partners.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


class ReadForPartnersWriteForStaff(APIView):
    permission_classes = [staff_may(GET=["inventory.view_stock"], partners_may=("GET",))]

    def get(self, request):
        return Response({"read": True})

    def post(self, request):
        return Response({"written": True})


class DeclaresNothing(APIView):
    def get(self, request):
        return Response({"read": True})


def call(view, method: str, user):
    request = getattr(APIRequestFactory(), method)("/", {}, format="json")
    force_authenticate(request, user=user)
    return view.as_view()(request)


def test_even_a_superuser_is_refused_a_method_the_view_answers_but_does_not_declare():
    answer = call(ReadForPartnersWriteForStaff, "post", UserFactory(username="root", is_staff=True, is_superuser=True))

    assert answer.status_code == 403
    assert answer.data["detail"] == "POST here is for no staff role."


def test_a_partner_user_may_call_only_the_methods_opened_to_partners():
    member = MembershipFactory(user=UserFactory(username="fern")).user

    assert call(ReadForPartnersWriteForStaff, "get", member).status_code == 200
    refused = call(ReadForPartnersWriteForStaff, "post", member)
    assert refused.status_code == 403 and refused.data["detail"] == "Only staff and integration accounts may do this."


def test_a_method_the_view_does_not_answer_is_still_a_405():
    root = UserFactory(username="root", is_staff=True, is_superuser=True)

    assert call(ReadForPartnersWriteForStaff, "delete", root).status_code == 405


def test_a_view_that_declares_nothing_answers_no_one():
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    member = MembershipFactory(user=UserFactory(username="fern")).user

    assert call(DeclaresNothing, "get", root).status_code == 403
    assert call(DeclaresNothing, "get", member).status_code == 403
