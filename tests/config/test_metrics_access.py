"""Only the platform's scraper reads the metrics (config/metrics_serving.py): with
METRICS_TOKEN, a bearer token; without it, this machine only, counting the addresses a
proxy in front names. The same rule at the web's /metrics and at manage.py
serve_metrics, which serves a worker host's processes' counts."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.support.metrics import value_in
from tests.support.processes import environment_of_this_run
from tests.support.services import _free_port

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
TOKEN = "a-long-random-metrics-token-for-tests"


def get(client, **headers):
    return client.get("/metrics", **headers)


def test_without_a_token_this_machine_may_read_them(client):
    assert get(client).status_code == 200
    assert get(client, REMOTE_ADDR="::1").status_code == 200
    # nginx on this machine, for a client on this machine
    assert get(client, HTTP_X_FORWARDED_FOR="127.0.0.1", HTTP_X_REAL_IP="127.0.0.1").status_code == 200


@pytest.mark.parametrize(
    "headers, named",
    [
        ({"REMOTE_ADDR": "10.0.0.5"}, "10.0.0.5"),
        # nginx on this machine passes on a stranger's request: the proxy names the stranger
        ({"HTTP_X_FORWARDED_FOR": "203.0.113.9"}, "203.0.113.9"),
        ({"HTTP_X_REAL_IP": "203.0.113.9"}, "203.0.113.9"),
        # a stranger writing "127.0.0.1" itself: nginx appends the address it saw
        ({"HTTP_X_FORWARDED_FOR": "127.0.0.1, 203.0.113.9"}, "203.0.113.9"),
    ],
)
def test_without_a_token_anyone_else_is_refused_naming_the_address(client, headers, named):
    answer = get(client, **headers)

    assert answer.status_code == 403
    assert named in answer.content.decode() and "METRICS_TOKEN" in answer.content.decode()
    assert b"bouquet_" not in answer.content


def test_with_a_token_only_the_bearer_reads_them_from_anywhere(client, settings):
    settings.METRICS_TOKEN = TOKEN

    refused = [
        get(client),
        get(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}x"),
        get(client, HTTP_AUTHORIZATION=f"Token {TOKEN}"),
        get(client, HTTP_AUTHORIZATION="Bearer"),
    ]
    answered = get(client, REMOTE_ADDR="10.0.0.5", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert [answer.status_code for answer in refused] == [403] * 4
    assert all(b"Authorization: Bearer <METRICS_TOKEN>" in answer.content for answer in refused)
    assert answered.status_code == 200 and b"bouquet_orders_accepted_total" in answered.content


def test_metrics_answer_get_only(client):
    assert client.post("/metrics").status_code == 405


def read(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.django_db(transaction=True)
def test_serve_metrics_serves_this_machines_process_counts_to_the_bearer(tmp_path):
    port = _free_port()
    env = environment_of_this_run(METRICS_TOKEN=TOKEN, LOG_LEVEL="WARNING")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve_metrics", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/metrics"
        deadline = time.monotonic() + 30
        while True:
            try:
                status, text = read(url, TOKEN)
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, process.stdout.read().decode()
                time.sleep(0.1)

        assert status == 200
        # The folder this test process counts into (tests/support/services.py) is the one served.
        assert env["PROMETHEUS_MULTIPROC_DIR"] == os.environ["PROMETHEUS_MULTIPROC_DIR"]
        assert value_in(text, "bouquet_orders_accepted_total", door="api") >= 0
        assert "bouquet_orders{" not in text  # the database's series are the web's alone
        assert read(url)[0] == 403 and read(url, TOKEN + "x")[0] == 403
        assert read(f"http://127.0.0.1:{port}/other", TOKEN)[0] == 404
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    "bind, problem",
    [("9464", "is not HOST:PORT"), ("127.0.0.1:99999", "is not HOST:PORT"), ("metrics.local:9464", "not an IP")],
)
def test_serve_metrics_names_a_bind_address_it_cannot_use(bind, problem):
    with pytest.raises(CommandError, match=problem):
        call_command("serve_metrics", "--bind", bind)
