"""A real Prometheus (Debian's) scrapes a running platform (a real gunicorn on the
test's database) through the repository's scrape config and rules, at a 1 s interval,
with the bearer token: the orders placed are the orders it counts, and an order made
to stick raises its alert."""

import json
import secrets
import shutil
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from orders.models import Order
from partners.tokens import issue_api_token
from tests.support.gunicorn import gunicorn, post_api_order
from tests.support.processes import wait_for
from tests.support.services import _free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
ORDERS = 5


def scrape_config(tmp_path: Path, target: str, token: str) -> Path:
    """The repository's prometheus.yml pointed at this platform: its web job, a token
    file of the test's, the repository's rules, and 1 s intervals."""
    token_file = tmp_path / "bouquet_metrics_token"
    token_file.write_text(token + "\n")
    config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    web = next(job for job in config["scrape_configs"] if job["job_name"] == "bouquet-web")
    web["authorization"]["credentials_file"] = str(token_file)
    web["static_configs"] = [{"targets": [target]}]
    config.update(
        {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(DEPLOY / "rules.yml")],
            "scrape_configs": [web],
        }
    )
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


@contextmanager
def prometheus(config: Path, tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("prometheus is missing: scripts/ensure_prometheus.sh installs it (make test runs it)")
    base = f"http://127.0.0.1:{_free_port()}"
    log = tmp_path / "prometheus.log"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'data'}",
                f"--web.listen-address={base.removeprefix('http://')}",
                "--log.level=warn",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: ready(base) or process.poll() is not None, 60, f"Prometheus ready at {base}")
        assert process.poll() is None, log.read_text()[-3000:]
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def ready(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/-/ready", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


def query(base: str, promql: str) -> list[dict]:
    with urllib.request.urlopen(
        f"{base}/api/v1/query?{urllib.parse.urlencode({'query': promql})}", timeout=5
    ) as answer:
        body = json.load(answer)
    assert body["status"] == "success", body
    return body["data"]["result"]


def value(base: str, promql: str) -> float | None:
    result = query(base, promql)
    return float(result[0]["value"][1]) if result else None


def test_prometheus_counts_the_orders_placed_and_fires_for_an_order_made_to_stick(
    buyer, warehouses, make_product, tmp_path
):
    make_product("ROSE-P", stock={warehouses["AMS"]: 1000}, case_pack=10)
    api_token = issue_api_token(user=buyer).key
    metrics_token = secrets.token_urlsafe()
    (tmp_path / "metrics").mkdir()

    with (
        gunicorn(
            workers=2, metrics_dir=tmp_path / "metrics", log=tmp_path / "web.log", METRICS_TOKEN=metrics_token
        ) as web,
        prometheus(scrape_config(tmp_path, web.removeprefix("http://"), metrics_token), tmp_path) as server,
    ):
        wait_for(lambda: value(server, 'up{job="bouquet-web"}') == 1, 30, "the platform scraped with its token")
        for number in range(ORDERS):
            assert post_api_order(web, api_token, sku="ROSE-P", quantity=10, number=number) == 202

        counted = 'sum(bouquet_orders_accepted_total{door="api"})'
        wait_for(lambda: value(server, counted) == ORDERS, 30, f"Prometheus counting {ORDERS} accepted orders")
        assert value(server, 'max(bouquet_orders{state="CREATED"})') == ORDERS
        assert query(server, 'ALERTS{alertname="OrderStuckAtStep"}') == []

        # No worker runs here: made to look as if it has waited ten minutes at reserve.
        stuck = Order.objects.order_by("id").first()
        Order.objects.filter(id=stuck.id).update(updated_at=timezone.now() - timedelta(minutes=10))

        firing = 'ALERTS{alertname="OrderStuckAtStep", alertstate="firing"}'
        [alert] = wait_for(lambda: query(server, firing), 30, "OrderStuckAtStep firing")
        assert alert["metric"]["step"] == "reserve" and alert["metric"]["severity"] == "page"
