"""A partner's freshness rule (`min_days_at_delivery`, docs/DESIGN.md section 11) is
kept by the back office: shown in the partner list, set through the partner import,
and a bad value is named with its row and column and changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.admin import describe_row_problems
from partners.models import Partner

pytestmark = pytest.mark.django_db

HEADER = "code,name,segment,email,payment_method,home_warehouse,min_days_at_delivery,active\n"


def preview(client, body: str):
    upload = SimpleUploadedFile("partners.csv", body.encode(), content_type="text/csv")
    form = {"format": "0", "import_file": upload, "resource": "0"}
    return client.post(reverse("admin:partners_partner_import"), form)


def confirm(client, response):
    form = response.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(reverse("admin:partners_partner_process_import"), data, follow=True)


def test_the_partner_import_sets_and_clears_the_rule(staff_client, account_buyer):
    body = HEADER + "FERN,Fern Garden Centre,garden_centre,,account,RTM,5,1\n"
    confirm(staff_client, preview(staff_client, body))
    account_buyer.refresh_from_db()
    assert account_buyer.min_days_at_delivery == 5

    confirm(staff_client, preview(staff_client, HEADER + "FERN,Fern Garden Centre,garden_centre,,account,RTM,,1\n"))
    account_buyer.refresh_from_db()
    assert account_buyer.min_days_at_delivery is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        pytest.param("-1", "min_days_at_delivery", id="negative"),
        pytest.param("three", "min_days_at_delivery", id="words"),
        pytest.param("400", "less than or equal to 365", id="over a year"),
    ],
)
def test_a_bad_rule_is_named_with_its_row_and_column_and_nothing_changes(staff_client, account_buyer, value, says):
    body = HEADER + f"FERN,Fern Garden Centre,garden_centre,,account,RTM,{value},1\n"

    response = preview(staff_client, body)

    found = describe_row_problems(response.context["result"])
    assert response.context.get("confirm_form") is None
    assert any(problem.startswith("row 1: min_days_at_delivery") and says in problem for problem in found), found
    assert Partner.objects.get(code="FERN").min_days_at_delivery is None


def test_the_partner_list_shows_the_rule(staff_client, account_buyer):
    account_buyer.min_days_at_delivery = 7
    account_buyer.save()

    page = staff_client.get(reverse("admin:partners_partner_changelist"))

    assert "min days at delivery" in page.content.decode().lower()
    assert page.context["cl"].result_list.get(code="FERN").min_days_at_delivery == 7
