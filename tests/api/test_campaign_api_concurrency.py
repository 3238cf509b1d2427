"""Pre-books through the API from concurrent clients, on the live database: two that
together pass a cap cannot both pass it, and one key places one pre-book."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from orders.models import Prebook, PrebookLine
from tests.support.api import client_with_key, key_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PREBOOKS = "/api/v1/campaigns/VDAY/prebooks/"


def send_together(api, requests: list[tuple[str, dict]]) -> list:
    """POST each (key, body) from a thread of its own, all released at once."""
    start = threading.Barrier(len(requests))

    def send(request):
        key, body = request
        client = client_with_key(key_of(api))  # APIClient is not thread-safe: one per thread
        try:
            start.wait()
            answer = client.post(PREBOOKS, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
            return answer.status_code, answer.json()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def test_two_pre_books_that_together_pass_the_cap_one_succeeds(fern_api, vday):
    roses = {"lines": [{"sku": "ROSE-RED", "quantity": 400}]}  # twice 400 against a cap of 600

    answers = send_together(fern_api, [("first", roses), ("second", roses)])

    assert sorted(status for status, _ in answers) == [201, 422], answers
    (refusal,) = [body for status, body in answers if status == 422]
    assert refusal["code"] == "prebook_cap_exceeded" and refusal["errors"][0]["left"] == 200
    assert list(PrebookLine.objects.values_list("quantity", flat=True)) == [400]


def test_ten_clients_sending_one_key_place_one_pre_book(fern_api, vday):
    roses = {"lines": [{"sku": "ROSE-RED", "quantity": 100}]}

    answers = send_together(fern_api, [("same-key", roses)] * 10)

    assert {status for status, _ in answers} == {201}, answers
    assert Prebook.objects.count() == 1
    assert {body["id"] for _, body in answers} == {Prebook.objects.get().id}
