"""A real gunicorn on the test's database and Redis: what production's web processes
do, for tests of what only several processes show (the metrics summed across them)."""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from config.first_idle_worker import WORKER_CLASS
from tests.support.processes import end_process, environment_of_this_run
from tests.support.services import _free_port

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


@contextmanager
def gunicorn(
    *, workers: int, metrics_dir: Path, log: Path, application: str = "config.wsgi:application", **environment: str
) -> Iterator[str]:
    """Run gunicorn with `workers` workers of production's class (config/gunicorn.py)
    counting into `metrics_dir` and yield its base URL; stop it at the end. The test
    must commit its data (`transaction=True`). `application`: the web pool's by
    default, config.webhook_wsgi:application for the webhook pool's."""
    port = _free_port()
    env = environment_of_this_run(PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), LOG_LEVEL="WARNING", **environment)
    argv = [str(Path(sys.executable).parent / "gunicorn"), application, "--workers", str(workers)]
    argv += ["--worker-class", WORKER_CLASS]
    with log.open("ab") as output:
        process = subprocess.Popen(
            [*argv, "--bind", f"127.0.0.1:{port}", "--no-control-socket"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _answers(f"{base}/healthz"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer at {base}; see {log}:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield base
    finally:
        end_process(process, grace_s=30)


def post_api_order(base: str, token: str, *, sku: str, quantity: int, number: int) -> int:
    """Place an order through the platform's API and return the answer's status."""
    body = json.dumps({"po_number": f"PO-{number}", "lines": [{"sku": sku, "quantity": quantity}]}).encode()
    headers = {
        "Authorization": f"Token {token}",
        "Idempotency-Key": f"order-{number}",
        "Content-Type": "application/json",
    }
    request = urllib.request.Request(f"{base}/api/v1/orders/", data=body, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status
