"""The breaker costs a Stripe call one Redis round trip when nothing has failed: the
check reads its keys in one MGET, and a success deletes the failure count only if that
check (or this thread's own failure) found one."""

import threading

from django_redis import get_redis_connection

from payments import circuit_breaker


def command_calls(command: str) -> int:
    stats = get_redis_connection("default").info("commandstats")
    return stats.get(f"cmdstat_{command}", {}).get("calls", 0)


def test_a_call_with_nothing_recorded_writes_nothing_on_success(breaker_reset):
    circuit_breaker.check_closed()
    deletes, reads = command_calls("del"), command_calls("mget")

    circuit_breaker.check_closed()
    circuit_breaker.record_success()

    assert (command_calls("del") - deletes, command_calls("mget") - reads) == (0, 1)


def test_a_success_forgets_failures_another_process_counted(settings, breaker_reset):
    settings.STRIPE_BREAKER_THRESHOLD = 3
    circuit_breaker.check_closed()
    # Another worker's failures, seen by this thread's next check.
    get_redis_connection("default").set(circuit_breaker.FAILURES_KEY, 2)

    circuit_breaker.check_closed()
    circuit_breaker.record_success()
    circuit_breaker.record_failure()
    circuit_breaker.record_failure()

    assert circuit_breaker.breaker_state().open is False


def test_a_success_after_this_threads_own_failure_forgets_it(settings, breaker_reset):
    settings.STRIPE_BREAKER_THRESHOLD = 2
    circuit_breaker.check_closed()
    circuit_breaker.record_failure()

    circuit_breaker.record_success()
    circuit_breaker.record_failure()

    assert circuit_breaker.breaker_state().open is False


def test_a_thread_that_never_looked_resets_on_success(settings, breaker_reset):
    settings.STRIPE_BREAKER_THRESHOLD = 2
    circuit_breaker.record_failure()
    other = threading.Thread(target=circuit_breaker.record_success)
    other.start()
    other.join()

    circuit_breaker.record_failure()

    assert circuit_breaker.breaker_state().open is False
