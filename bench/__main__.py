"""Run the benchmark: `python -m bench [--quick]` (what `make bench` calls)."""

import argparse
import os
import platform as host
import signal
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from bench import calibration, cost
from bench.environment import BENCH_DATABASE, BENCH_ENV
from bench.platform import ROOT, Platform, fresh_database

RESULTS = ROOT / "bench" / "results"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (under 3 minutes)")
    # Tuned on this 2-core machine: see bench/README.md and bench/RESULTS.md for what each measured.
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("BENCH_WEB_WORKERS", 3)))
    parser.add_argument("--q-workers", type=int, default=int(os.environ.get("BENCH_Q_WORKERS", 2)))
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated scenarios (ceiling,intake,intake_alone,end_to_end,spike,hot_sku,csv)",
    )
    parser.add_argument(
        "--screenshot",
        action="store_true",
        help="screenshot the admin home's peak view late in the spike (or end to end); a full run always does",
    )
    return parser.parse_args()


def machine() -> dict:
    import django
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "speed": calibration.machine_speed(),  # before the servers start: a quiet machine
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": host.python_version(),
        "django": django.get_version(),
        "postgresql": postgres,
        "platform": host.platform(),
    }


def prepare(bench: Platform) -> None:
    """Migrate, start the stand-in, build the data set, and give the planner its
    statistics."""
    print("preparing: migrate, stand-in, data set", flush=True)
    bench.manage("migrate", "--noinput")
    bench.start_stand_in()
    # Weeks of shipped orders, as a platform in service has (devdata/bench_history.py).
    world = bench.manage("bench_data", "--partners", "200", "--skus", "2000", "--history", "20000")
    print("  " + world.strip(), flush=True)
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        # Fresh tables have no planner statistics until autovacuum comes by; a
        # database in service has them.
        cursor.execute("ANALYZE")


def add_fraction_of_ceiling(figures: dict, name: str) -> None:
    if "ceiling" in figures and figures["ceiling"]["rate_per_s"]:
        figures[name]["fraction_of_ceiling"] = round(figures[name]["rate_per_s"] / figures["ceiling"]["rate_per_s"], 2)


def screenshot_later(bench: Platform, stamp: str, after_s: float):
    """The admin home's peak view, screenshot `after_s` seconds from now (bench.peak_screenshot)."""
    from bench.peak_screenshot import ScreenshotLater

    return ScreenshotLater(bench.base_url, RESULTS / f"peak-view-{stamp}.png", after_s).start()


def run_ceiling(bench: Platform, figures: dict, run: "Run") -> None:
    print("ceiling: a bare insert view on the same gunicorn", flush=True)
    rates = [300, 500] if run.quick else [300, 400, 500, 600, 700, 800]
    figures["ceiling"] = run.scenarios.ceiling(bench.base_url, rates=rates, seconds=run.seconds)


def run_intake(bench: Platform, figures: dict, run: "Run") -> None:
    print("intake: POST /api/v1/orders/ at constant arrival rates", flush=True)
    rates = [100, 300] if run.quick else [100, 150, 200, 250, 300, 350, 400, 500]
    figures["intake"] = run.scenarios.intake(
        run.traffic, rates=rates, seconds=run.seconds, drain_limit_s=20 if run.quick else 120
    )
    add_fraction_of_ceiling(figures, "intake")


def run_end_to_end(bench: Platform, figures: dict, run: "Run") -> None:
    """At 30 offered a second (ten times the brief's peak), then at 100: the first
    gives the processing time at a normal peak, the second the journey's throughput."""
    print("end to end: accepted to CONFIRMED, half card, half on account, at 30/s then 100/s", flush=True)
    seconds = 10 if run.quick else 30
    drain_limit_s = 40 if run.quick else 300
    if not run.wanted("intake"):
        # As the intake steps do: a platform in service has its caches filled and its
        # connections open; from cold, each web worker's first requests load them.
        run.scenarios.warm_up(run.traffic, drain_limit_s=drain_limit_s)
    with cost.costed(run.meter, figures, "end_to_end_30"):
        figures["end_to_end_30"] = run.scenarios.end_to_end(
            run.traffic, rate=30, seconds=seconds, drain_limit_s=drain_limit_s
        )
    picture = screenshot_later(bench, run.stamp, seconds * 0.8) if run.screenshot and not run.wanted("spike") else None
    with cost.costed(run.meter, figures, "end_to_end"):
        figures["end_to_end"] = run.scenarios.end_to_end(
            run.traffic, rate=100, seconds=seconds, drain_limit_s=drain_limit_s
        )
    figures["end_to_end"]["at_30_per_s"] = figures.pop("end_to_end_30")
    print(f"    {figures['end_to_end']['rate_per_s']}/s confirmed", flush=True)
    if picture and picture.join():
        figures["end_to_end"]["peak_view"] = picture.path.name


def run_spike(bench: Platform, figures: dict, run: "Run") -> None:
    from bench import report

    print("spike: base rate, then fifty times it, then base again", flush=True)
    # QUICK keeps the shape (fifty times the base rate) but not the size.
    base_s, spike_s = (3, 10) if run.quick else (15, 60)
    # Late in the spike: the backlog at its height, the orders of the spike counted.
    picture = screenshot_later(bench, run.stamp, base_s + spike_s * 0.9) if run.screenshot else None
    figures["spike"] = run.scenarios.spike(
        run.traffic,
        base_rate=2 if run.quick else 6,
        factor=50,
        base_s=base_s,
        spike_s=spike_s,
        drain_limit_s=40 if run.quick else 600,
    )
    if picture and picture.join():
        figures["spike"]["peak_view"] = picture.path.name
    report.spike_picture(figures["spike"], RESULTS / f"spike-{run.stamp}.png")
    figures["spike"]["picture"] = f"spike-{run.stamp}.png"


def run_hot_sku(bench: Platform, figures: dict, run: "Run") -> None:
    print("hot SKU: 500 buyers for the last 100 units", flush=True)
    figures["hot_sku"] = run.scenarios.hot_sku(run.traffic, buyers=500, units=100)


def run_csv(bench: Platform, figures: dict, run: "Run") -> None:
    print("csv: a 10,000-line file through the importer", flush=True)
    figures["csv"] = run.scenarios.csv_import({**os.environ}, lines=2000 if run.quick else 10_000)


def run_intake_alone(bench: Platform, figures: dict, run: "Run") -> None:
    """The intake steps again with the journey's workers stopped: what intake holds
    with the machine to itself, which tells its own cost from the journey's. Last,
    because the orders it leaves are never processed."""
    print("intake alone: the same steps, with the workers stopped", flush=True)
    bench.stop_child("qcluster")
    rates = [300, 500] if run.quick else [200, 300, 350, 400, 450, 500]
    figures["intake_alone"] = run.scenarios.step_rates(run.traffic.order_request, rates, run.seconds, expected=202)
    add_fraction_of_ceiling(figures, "intake_alone")


SCENARIOS = {
    "ceiling": run_ceiling,
    "intake": run_intake,
    "end_to_end": run_end_to_end,
    "spike": run_spike,
    "hot_sku": run_hot_sku,
    "csv": run_csv,
    "intake_alone": run_intake_alone,
}
# Two runs in one scenario, each with its own cost.
COSTED_BY_THEMSELVES = {"end_to_end"}


@dataclass
class Run:
    scenarios: object
    traffic: object
    meter: cost.CpuMeter
    quick: bool
    wanted: object
    stamp: str
    screenshot: bool

    @property
    def seconds(self) -> int:
        return 5 if self.quick else 15


def idle_cost(meter: cost.CpuMeter, *, seconds: float) -> dict:
    """CPU milliseconds a second by kind with no order coming in, once the journey has
    drained what the data set left (the campaign's allocation orders): the fixed cost
    that a scenario's per-order figure carries, spread over its orders."""
    from bench.scenarios import wait_until_drained

    wait_until_drained(120)
    with meter.window() as spent:
        time.sleep(seconds)
    return {"cpu_ms_per_s": {kind: round(spent[kind] * 1000 / seconds, 1) for kind in cost.KINDS}}


def run_scenarios(bench: Platform, figures: dict, *, quick: bool, wanted, stamp: str, screenshot: bool) -> None:
    """Run each wanted scenario of DESIGN section 9 (docs/DESIGN.md) into `figures`,
    each with its CPU per order by process kind, and the run's cost figure."""
    from bench import scenarios

    meter = cost.CpuMeter(bench.children, BENCH_DATABASE).start()
    run = Run(scenarios, scenarios.Traffic(bench.base_url), meter, quick, wanted, stamp, screenshot)
    try:
        figures["idle"] = idle_cost(meter, seconds=5 if quick else 15)
        for name, scenario in SCENARIOS.items():
            if not wanted(name):
                continue
            if name in COSTED_BY_THEMSELVES:
                scenario(bench, figures, run)
                continue
            with cost.costed(meter, figures, name):
                scenario(bench, figures, run)
    finally:
        meter.stop()
    figures["cost"] = cost.headline(figures)


def main() -> int:
    # SIGTERM (or Ctrl-C) ends the run through `finally`, which stops what it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = parse_args()
    os.environ.update(BENCH_ENV)
    os.environ["PGAPPNAME"] = "load_generator"  # its connections' name (bench.cost)
    sys.path.insert(0, str(ROOT))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    only = set(filter(None, args.only.split(",")))

    fresh_database()
    bench = Platform(web_workers=args.web_workers, q_workers=args.q_workers, log_path=RESULTS / f"platform-{stamp}.log")
    figures: dict = {
        "run": {"at": stamp, "quick": args.quick, "web_workers": args.web_workers, "q_workers": args.q_workers}
    }
    try:
        prepare(bench)
        figures["machine"] = machine()
        bench.start_servers()
        bench.sample_memory(interval_s=5.0)  # reading every process's pages is costly: not every second
        run_scenarios(
            bench,
            figures,
            quick=args.quick,
            wanted=lambda name: not only or name in only,
            stamp=stamp,
            screenshot=args.screenshot or not (args.quick or only),
        )
        figures["memory"] = {"peak_mib": round(max(bench.memory_peak_mib, bench.rss_mib()), 1)}
    finally:
        bench.stop()
    from bench import report

    path = RESULTS / f"bench-{stamp}.json"
    report.write_json(figures, path)
    (RESULTS / "latest.json").write_text(path.read_text())
    print()
    print(report.table(figures))
    print(f"\nfigures: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
