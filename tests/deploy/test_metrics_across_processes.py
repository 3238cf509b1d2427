"""Values are right across every web worker (prometheus_client's multiprocess mode,
config/metrics.py): 100 orders placed through a real gunicorn with 3 workers count
100 in its /metrics, though several processes took them."""

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.mmap_dict import MmapedDict

from orders.models import Order
from partners.tokens import issue_api_token
from tests.support.gunicorn import gunicorn, post_api_order
from tests.support.metrics import value_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ORDERS = 100


def accepted_api_orders_in(path) -> float:
    """What one process counted of the API's accepted orders (its file in the folder)."""
    return sum(
        value
        for key, value, _, _ in MmapedDict.read_all_values_from_file(str(path))
        if json.loads(key)[1:3] == ["bouquet_orders_accepted_total", {"door": "api"}]
    )


def test_a_hundred_orders_through_three_web_workers_count_a_hundred(buyer, warehouses, make_product, tmp_path):
    make_product("ROSE-G", stock={warehouses["AMS"]: 10 * ORDERS}, case_pack=10)
    key = issue_api_token(user=buyer).key
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()

    with gunicorn(workers=3, metrics_dir=metrics_dir, log=tmp_path / "gunicorn.log") as base:
        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(
                pool.map(lambda n: post_api_order(base, key, sku="ROSE-G", quantity=10, number=n), range(ORDERS))
            )
        with urllib.request.urlopen(f"{base}/metrics", timeout=30) as answer:
            text = answer.read().decode()

    assert statuses == [202] * ORDERS and Order.objects.count() == ORDERS
    assert value_in(text, "bouquet_orders_accepted_total", door="api") == ORDERS
    assert value_in(text, "bouquet_intake_duration_seconds_count", door="api") == ORDERS
    assert value_in(text, "bouquet_orders", state="CREATED") == ORDERS
    by_process = [accepted_api_orders_in(path) for path in metrics_dir.glob("counter_*.db")]
    assert sum(by_process) == ORDERS and len([n for n in by_process if n]) >= 2, by_process
