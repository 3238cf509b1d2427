"""`make chaos`: the faults of a peak day, while orders flow, each followed by the audit.

The platform runs as `make run` runs it (gunicorn, a qcluster, the Stripe stand-in), on
a PostgreSQL cluster and a Redis server of this run's own (bench/private_services.py),
so that stopping them hurts nothing else on the machine. Webhooks reach the platform
through a relay (bench/webhook_relay.py) that can duplicate and reorder them.

Each scenario: orders flow at a steady rate from retrying clients (bench/flow.py), the
fault happens, the flow stops, the journey is given time to drain, and the audit
(`backoffice.audit`, also `manage.py audit`) checks every promise, stock per lot among
them: the data set's hot SKU lies in three dated lots (bench/chaos_world.py). The
figures go to `bench/results/chaos-<time>.json` (bench/chaos_report.py); the exit status is 1
if an audit found anything (oversold, ledger, reservations, unfit_lots, lost, the campaign
checks, ...), an order was lost, or a scenario's own checks failed: `campaign_worker_killed`
commits a peak campaign and serves its waitlist while workers die (bench/chaos_campaign.py)."""

import argparse
import os
import random
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench.chaos_deploys import DEPLOY_SCENARIOS
from bench.chaos_report import RESULTS, scenario_passed, write_figures
from bench.chaos_scenario import Scenario
from bench.platform import ROOT, Platform
from bench.private_services import PrivatePostgres, PrivateRedis
from bench.probes import (
    difference,
    last_order_id,
    probe_while,
    qcluster_sentinels,
    qcluster_workers,
    status_counts,
    step_in_flight,
    wait_until,
    waiting_orders,
)
from bench.scenarios import waiting_statuses
from bench.webhook_relay import WebhookRelay

# Ports of the chaos run's own, apart from `make run` (8000, 8420), `make test` (free ports)
# and `make bench` (8050, 8440).
WEB = "127.0.0.1:8053"
STAND_IN_PORT = 8443
RELAY_PORT = 8454
POSTGRES_PORT = 5441
REDIS_PORT = 6391


class ChaosRun:
    def __init__(
        self,
        platform: Platform,
        postgres: PrivatePostgres,
        redis: PrivateRedis,
        relay: WebhookRelay,
        *,
        stand_in_store: Path,
        rate: float,
        seconds: float,
        drain_limit_s: float,
        seed: int = 17,
    ):
        self.platform = platform
        self.stand_in_store = stand_in_store
        self.postgres = postgres
        self.redis = redis
        self.relay = relay
        self.rate = rate
        self.seconds = seconds
        self.drain_limit_s = drain_limit_s
        self.rng = random.Random(seed)

    # --- one scenario ------------------------------------------------------------------

    def run(self, scenario: Scenario, traffic) -> dict:
        from bench.flow import Flow, steady_timeout

        print(f"{scenario.name}: {scenario.description}", flush=True)
        self.traffic = traffic
        if scenario.before:
            scenario.before(self)
        start_id = last_order_id()
        self.webhooks_before = self.relay.figures()
        flow = Flow(
            traffic.order_request, rate=self.rate, attempt_timeout=scenario.attempt_timeout or steady_timeout
        ).start()
        lead = min(8.0, self.seconds / 4)
        time.sleep(lead)
        fault_started = time.monotonic()
        fault = scenario.fault(self)
        left = self.seconds - lead - (time.monotonic() - fault_started)
        if left > 0:
            time.sleep(left)
        clients = flow.stop()
        print(
            f"    flow: {clients.offered} offered, {len(clients.accepted)} accepted, answers {dict(clients.answers)}, "
            f"failed requests {clients.failed_requests}",
            flush=True,
        )
        own = scenario.afterwards(self) if scenario.afterwards else {}
        # Parts of the fault it timed (a migration, say): what clients saw meanwhile.
        windows = fault.pop("windows", {})
        fault.update({f"clients_during_{name}": clients.during(*window) for name, window in windows.items()})
        return {
            "name": scenario.name,
            "failed_requests": clients.failed_requests,
            "promises_no_failed_request": scenario.promises_no_failed_request,
            "description": scenario.description,
            "fault": fault,
            "clients": clients.as_dict(),
            **self.settle(clients, start_id),
            **own,
        }

    def settle(self, clients, start_id: int) -> dict:
        """Let the journey finish what the scenario started, then count and audit."""
        from django.db import connections

        from backoffice.audit import run_audit
        from orders.models import Order

        connections.close_all()  # the harness's own connection may have died with the fault
        started = time.monotonic()
        drained = wait_until(lambda: waiting_orders(start_id) == 0, self.drain_limit_s)
        drain_s = time.monotonic() - started if drained else None
        wait_until(lambda: not self.relay.busy(), 60)
        numbers = set(clients.accepted.values())
        orders = Order.objects.filter(id__gt=start_id)
        found = set(orders.filter(number__in=numbers).values_list("number", flat=True))
        unfinished = set(
            orders.filter(number__in=numbers, status__in=waiting_statuses(), hold="").values_list("number", flat=True)
        )
        audit = run_audit()
        findings = audit.findings
        figures = {
            "orders": len(numbers),
            # Accepted and then missing, or never final after the drain.
            "lost": len(numbers - found) + len(unfinished),
            "oversold": len(findings.get("oversold", [])) + len(findings.get("ledger", [])),
            "double_charges": len(findings.get("double_charges", [])),
            "invalid_paths": len(findings.get("invalid_paths", [])),
            # Per lot: reservations that do not sum to its reserved units, or that its dates do not serve.
            "reservations": len(findings.get("reservations", [])),
            "unfit_lots": len(findings.get("unfit_lots", [])),
            "audit_passed": audit.passed,  # any finding of any kind fails the scenario
            # Orders the database holds for this scenario that no client was told of
            # (a retry that gave up); each key must make at most one order. A
            # campaign's allocation orders have no client.
            "unacknowledged": orders.exclude(source=Order.Source.PREBOOK).count() - len(found),
            "keys_with_two_orders": len(clients.accepted) - len(numbers),
            "drain_s": round(drain_s, 1) if drain_s is not None else None,
            "by_status": status_counts(start_id),
            "audit": audit.as_dict(),
            "webhooks": difference(self.relay.figures(), self.webhooks_before),
        }
        mark = "passed" if audit.passed and figures["lost"] == 0 else "FAILED"
        print(
            f"    audit {mark}: {figures['orders']} orders, lost {figures['lost']}, oversold {figures['oversold']}, "
            f"double charges {figures['double_charges']}, invalid paths {figures['invalid_paths']}, "
            f"reservations {figures['reservations']}, unfit lots {figures['unfit_lots']}, "
            f"drained in {figures['drain_s']} s",
            flush=True,
        )
        return figures

    # --- faults ------------------------------------------------------------------------

    def kill_workers(self) -> dict:
        """SIGKILL a journey worker every few seconds, one caught inside a step's
        database transaction where possible; every fourth time kill the cluster's
        sentinel (which `run_workers` must notice), and every fourth the whole
        process group, started again as a supervisor would."""
        kills = []
        deadline = time.monotonic() + self.seconds * 0.6
        while time.monotonic() < deadline:
            time.sleep(self.rng.uniform(1.5, 3.5))
            if len(kills) % 4 == 3:
                self.platform.stop_child("qcluster", signal.SIGKILL)
                self.platform.start_workers()
                kills.append({"killed": "qcluster", "step": "whole qcluster"})
                continue
            if len(kills) % 4 == 2:
                for sentinel in qcluster_sentinels(self.platform.children["qcluster"].pid):
                    sentinel.send_signal(signal.SIGKILL)
                kills.append({"killed": "sentinel", "step": "the sentinel"})
                continue
            victim, step = self.busy_worker(within_s=3)
            if victim is None:
                continue
            try:
                victim.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                continue
            kills.append({"killed": "worker", "step": step})
        return {"kills": len(kills), "by_step": dict(Counter(kill["step"] for kill in kills))}

    def busy_worker(self, within_s: float) -> tuple[psutil.Process | None, str | None]:
        """A qcluster worker that is inside a step's database transaction, watched for
        up to `within_s`; failing that, any worker."""
        workers: list[psutil.Process] = []
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            workers = qcluster_workers(self.platform.children["qcluster"].pid)
            busy = [(w, step) for w in workers if (step := step_in_flight(w, POSTGRES_PORT))]
            if busy:
                return self.rng.choice(busy)
            time.sleep(0.05)
        return (self.rng.choice(workers), "between steps") if workers else (None, None)

    def stop_redis(self, seconds: float = 30) -> dict:
        self.redis.stop()
        down = probe_while(self.platform.base_url, seconds)
        self.redis.start()
        return {"redis_down_s": seconds, "readyz_during": down}

    def restart_postgres(self, down_s: float = 10) -> dict:
        started = time.monotonic()
        self.postgres.stop("fast")
        down = probe_while(self.platform.base_url, down_s)
        self.postgres.start()
        return {"postgres_down_s": round(time.monotonic() - started, 1), "readyz_during": down}

    def stop_stripe(self, seconds: float = 30) -> dict:
        self.platform.stop_child("localstripe")
        time.sleep(seconds)
        self.platform.start_stand_in(keep_store=self.stand_in_store)
        return {"stand_in_down_s": seconds}

    def duplicate_webhooks(self) -> dict:
        self.relay.chaos = True
        time.sleep(self.seconds * 0.6)
        self.relay.chaos = False
        return {"webhooks": "every delivery sent twice, each after a random delay of up to 8 s"}

    def nothing(self) -> dict:
        return {}

    def campaign_while_killing(self) -> dict:
        from bench.chaos_campaign import commit_and_sync_while_killing

        return commit_and_sync_while_killing(self)

    def campaign_figures(self) -> dict:
        from bench.chaos_campaign import campaign_figures

        return campaign_figures(self)


SCENARIOS = [
    Scenario(
        "worker_killed", "journey workers SIGKILLed mid-step, again and again, then restarted", ChaosRun.kill_workers
    ),
    Scenario("redis_down", "Redis stopped for 30 s, then started again empty", ChaosRun.stop_redis),
    Scenario("postgres_restart", "PostgreSQL stopped for 10 s and started again", ChaosRun.restart_postgres),
    Scenario("stripe_down", "the Stripe stand-in stopped for 30 s, then started again", ChaosRun.stop_stripe),
    Scenario(
        "webhooks_twice_out_of_order",
        "every Stripe webhook delivered twice and out of order",
        ChaosRun.duplicate_webhooks,
    ),
    # The first attempt times out after 2 to 20 ms, shorter than most answers take, so
    # most retries race their first attempt or find it done; each retry waits twice as
    # long as the last.
    Scenario(
        "client_retries",
        "clients time out early and retry with the same Idempotency-Key",
        ChaosRun.nothing,
        attempt_timeout=lambda attempt: random.uniform(0.002, 0.02) * 2**attempt,
    ),
    Scenario(
        "campaign_worker_killed",
        "a peak campaign committed by two staff at once and its waitlist served as lots sync in, "
        "while journey workers are SIGKILLed (one caught in a waitlist run where possible)",
        ChaosRun.campaign_while_killing,
        afterwards=ChaosRun.campaign_figures,
    ),
    *DEPLOY_SCENARIOS,  # last: they grow the platform to two hosts of each kind
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rate",
        type=float,
        default=float(os.environ.get("CHAOS_RATE", 12)),
        help="orders per second while a fault happens (default 12)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("CHAOS_SECONDS", 50)),
        help="seconds of order flow per scenario (default 50)",
    )
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    return parser.parse_args()


def prepare(platform: Platform, postgres, redis, relay, *, stand_in_store: Path) -> None:
    """Start the run's own PostgreSQL and Redis, migrate, start the stand-in with its
    kept store, build a data set, and start the servers behind the webhook relay."""
    print("preparing: PostgreSQL and Redis of the run's own, the stand-in, a data set", flush=True)
    postgres.init()
    postgres.start()
    postgres.create_database("bouquet_chaos")
    redis.start()
    os.environ.update(platform.settings)
    sys.path.insert(0, str(ROOT))
    platform.manage("migrate", "--noinput")
    platform.start_stand_in(keep_store=stand_in_store)
    print("  " + platform.manage("bench_data", "--partners", "40", "--skus", "400").strip(), flush=True)
    import django

    django.setup()
    from bench.chaos_world import add_hot_lots

    add_hot_lots()
    relay.start()
    platform.start_servers(webhook_url=relay.url)


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = parse_args()
    only = set(filter(None, args.only.split(",")))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log = open(RESULTS / f"chaos-{stamp}.log", "ab")
    postgres = PrivatePostgres(POSTGRES_PORT)
    redis = PrivateRedis(REDIS_PORT, log)
    platform = Platform(
        web_workers=3,
        q_workers=2,
        log_path=RESULTS / f"chaos-{stamp}.log",
        web=WEB,
        stand_in_port=STAND_IN_PORT,
        settings={
            "DATABASE_URL": postgres.url("bouquet_chaos"),
            "REDIS_URL": redis.url,
            "BENCH_CEILING_VIEW": "0",
            # Card payments on eight threads per worker, as against Stripe: at 12
            # orders a second the CPU is not short, and the faults must meet the
            # threads too.
            "STRIPE_CONCURRENCY": "8",
            # The product's settings, and the deploy rehearsal's app once its release is
            # on disk (the expand_migration scenario; bench/chaos_settings.py).
            "DJANGO_SETTINGS_MODULE": "bench.chaos_settings",
            "CHAOS_RELEASE_MARKER": str(postgres.dir / "deploy-rehearsal.release"),
        },
    )
    stand_in_store = postgres.dir / "stand-in.pickle"
    relay = WebhookRelay(RELAY_PORT, f"{platform.base_url}/payments/stripe/webhook/")
    results: list[dict] = []
    try:
        prepare(platform, postgres, redis, relay, stand_in_store=stand_in_store)
        from bench.chaos_world import ChaosTraffic

        run = ChaosRun(
            platform,
            postgres,
            redis,
            relay,
            stand_in_store=stand_in_store,
            rate=args.rate,
            seconds=args.seconds,
            drain_limit_s=300,
        )
        traffic = ChaosTraffic(platform.base_url)
        for scenario in SCENARIOS:
            if not only or scenario.name in only:
                results.append(run.run(scenario, traffic))
    finally:
        try:
            relay.stop(wait_s=10)
        except Exception:
            pass
        platform.stop()
        redis.stop()
        postgres.destroy()
    write_figures(results, stamp=stamp, args=args)
    return 0 if results and all(scenario_passed(r) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
