"""The bench's cost figure (CPU per order by process kind) and its drain figures
(how fast a backlog drained, the longest stall): what issue 20's targets are read from."""

import subprocess
import sys
import time

import pytest

from bench.cost import CpuMeter, headline, per_order, postgres_process_counts
from bench.drain import confirmed_per_s, departure_rate, drain_figures, longest_stall_s


def test_only_the_bench_databases_postgres_processes_are_counted():
    def counts(title):
        return postgres_process_counts([title], "bouquet_bench")

    assert counts("/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main")
    assert counts("postgres: 15/main: checkpointer ")
    assert counts("postgres: walwriter")
    assert counts("postgres: 15/main: bouquet bouquet_bench 127.0.0.1(48430) idle")
    assert counts("postgres: 15/main: autovacuum worker bouquet_bench")
    assert not counts("postgres: 15/main: bouquet test_bouquet_r4 127.0.0.1(48440) idle in transaction")
    assert not counts("postgres: 15/main: autovacuum worker bouquet")


def test_cost_per_order_sums_the_platforms_kinds_and_counts_the_stand_in_and_load_apart():
    spent = {
        "nginx": 0.1,
        "gunicorn": 1.5,
        "webhooks": 0.5,
        "workers": 1.0,
        "mirror": 0.5,
        "postgres": 0.6,
        "redis": 0.3,
        "stand_in": 5.0,
        "load_generator": 9.0,
    }

    cost = per_order(spent, 1000, "confirmed")

    assert cost["platform_cpu_ms_per_order"] == 4.5
    assert cost["by_kind"]["stand_in"] == 5.0 and cost["by_kind"]["webhooks"] == 0.5
    assert cost["by_kind"]["mirror"] == 0.5
    assert per_order(spent, 0, "accepted")["platform_cpu_ms_per_order"] is None


def test_a_scenario_that_confirmed_few_of_its_orders_is_costed_per_order_accepted():
    from bench.cost import orders_counted

    assert orders_counted(1000, 990) == (990, "confirmed")
    assert orders_counted(24000, 100) == (24000, "accepted")  # intake alone: stragglers only
    assert orders_counted(500, 0) == (500, "accepted")


def test_the_headline_is_end_to_ends_cost_with_every_scenarios_beside_it():
    figures = {
        "intake_alone": {"cost": {"per": "accepted", "orders": 10, "platform_cpu_ms_per_order": 2.0}},
        "end_to_end": {"cost": {"per": "confirmed", "orders": 10, "platform_cpu_ms_per_order": 6.0, "by_kind": {}}},
    }

    cost = headline(figures)

    assert (cost["from"], cost["platform_cpu_ms_per_order"]) == ("end_to_end", 6.0)
    assert cost["by_scenario"] == {"intake_alone": 2.0, "end_to_end": 6.0}


def test_the_meter_charges_a_busy_child_to_its_kind():
    busy = subprocess.Popen(
        [sys.executable, "-c", "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end: pass"]
    )
    meter = CpuMeter({"gunicorn": busy}, "no_bench_here", interval_s=0.05).start()
    try:
        with meter.window() as spent:
            busy.wait(timeout=30)
            time.sleep(0.01)
    finally:
        meter.stop()

    # The child ends between two reads: at most one interval of its CPU is lost.
    assert 0.4 <= spent["gunicorn"] <= 0.7
    assert spent["workers"] == 0


def test_the_webhook_pool_is_told_from_the_web_pool():
    from bench.cost import child_kind

    assert [child_kind(n) for n in ("gunicorn", "gunicorn-2", "gunicorn-webhooks", "gunicorn-webhooks-2")] == [
        "gunicorn",
        "gunicorn",
        "webhooks",
        "webhooks",
    ]
    assert child_kind("qcluster-2") == "workers" and child_kind("nginx") == "nginx"
    assert child_kind("mirror") == "mirror"


def test_a_stretch_with_orders_waiting_and_none_moving_is_a_stall():
    samples = [
        (0.0, 100, 50, 0), (1.0, 60, 40, 0), (2.0, 60, 0, 0), (3.0, 60, 0, 0), (4.0, 60, 0, 0), (5.0, 10, 50, 0),
        (6.0, 0, 10, 0),
    ]  # fmt: skip

    assert longest_stall_s(samples) == 3.0
    # A quiet second between two batches is not one.
    assert longest_stall_s([(0.0, 10, 5, 0), (1.0, 10, 0, 0), (2.0, 0, 10, 0)]) == 0.0
    # Nothing waiting is not a stall.
    assert longest_stall_s([(0.0, 0, 0, 0), (1.0, 0, 0, 0), (2.0, 0, 0, 0), (3.0, 0, 0, 0)]) == 0.0


def test_the_drain_rate_is_the_backlog_at_the_spikes_end_over_the_time_to_clear_it():
    # Before the spike (from 10 s) at most 5 wait; the backlog of 1,000 is back to 5 or
    # fewer 10 s after the spike's end, while the base traffic keeps one or two waiting.
    samples = [
        (0.0, 3, 10, 0), (5.0, 5, 10, 0), (20.0, 1000, 100, 0), (25.0, 400, 120, 0), (30.0, 4, 80, 0), (40.0, 0, 10, 0),
    ]  # fmt: skip

    figures = drain_figures(samples, spike_start_s=10.0, spike_end_s=20.0, drain_s=20.0)

    assert figures["backlog_at_spike_end"] == 1000
    assert figures["backlog_cleared_s"] == 10.0
    assert figures["drain_rate_per_s"] == 100.0
    assert figures["longest_stall_s"] == 0.0


def test_no_backlog_beyond_the_base_level_has_no_drain_rate():
    samples = [(0.0, 3, 10, 0), (20.0, 2, 100, 0), (21.0, 1, 10, 0)]

    figures = drain_figures(samples, spike_start_s=10.0, spike_end_s=20.0, drain_s=5.0)

    assert figures["backlog_cleared_s"] == 1.0
    assert figures["drain_rate_per_s"] is None


def test_the_spikes_confirmations_a_second_are_read_over_the_samples_within_it():
    # (t, waiting, moves/s, confirmed/s over the interval ending at t); the spike runs
    # from 10 s to 20 s: 100/s for 5 s, then 50/s for 5 s; before and after do not count.
    samples = [(0.0, 1, 5, 5), (10.0, 1, 5, 5), (15.0, 300, 400, 100), (20.0, 200, 300, 50), (25.0, 0, 900, 900)]

    assert confirmed_per_s(samples, start_s=10.0, end_s=20.0) == 75.0
    assert drain_figures(samples, spike_start_s=10.0, spike_end_s=20.0, drain_s=5.0)["confirmed_per_s_in_spike"] == 75.0
    # No sample within, no figure.
    assert confirmed_per_s(samples, start_s=30.0, end_s=40.0) is None


def test_a_backlog_never_cleared_has_no_time_to_clear():
    samples = [(0.0, 3, 10, 0), (20.0, 900, 100, 0), (30.0, 800, 10, 0)]

    assert drain_figures(samples, spike_start_s=10.0, spike_end_s=20.0, drain_s=None)["backlog_cleared_s"] is None


@pytest.mark.django_db
def test_a_backend_is_charged_to_the_kind_of_the_process_it_serves():
    """The meter reads a new backend's application_name (the bench names each child's
    connections after it): here this test's own connection, named as the load
    generator's."""
    from django.db import connection

    from bench.cost import served_kind

    assert [served_kind(name) for name in ("gunicorn-2", "gunicorn-webhooks", "qcluster", "mirror", "psql")] == [
        "gunicorn",
        "webhooks",
        "workers",
        "mirror",
        "other",
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET application_name = 'load_generator'")
    database = connection.settings_dict["NAME"]
    meter = CpuMeter({}, database, interval_s=0.05).start()
    try:
        with meter.window() as spent:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM generate_series(1, 3000000)")
            time.sleep(0.2)
    finally:
        meter.stop()

    assert spent["postgres:load_generator"] > 0.05
    assert spent.get("postgres:other", 0.0) < spent["postgres:load_generator"]


def test_end_to_ends_rate_is_the_confirmations_own_so_a_steady_time_to_confirm_does_not_lower_it():
    # 3,000 orders offered at 100/s, each confirmed 0.9 s after it was accepted: the
    # confirmations span the same 29.99 s as the acceptances.
    assert departure_rate(3000, 29.99) == 100.0
    # Falling behind: the time to CONFIRMED grows, the last order waits 5 s more.
    assert departure_rate(3000, 34.99) == 85.7
    assert departure_rate(1, 0.0) == 0.0
    assert departure_rate(0, None) == 0.0
