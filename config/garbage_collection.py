"""What a long-running process keeps from its start is left out of garbage collection.

A web worker or a journey worker holds some 200,000 objects once Django, DRF, the
Stripe SDK and the models are loaded, and every request or claimed batch leaves
reference cycles behind (requests, responses, querysets), so the collector runs often,
and each full collection walks all 200,000. Profiled with perf under the benchmark, at
100 orders a second: the collector was about a third of the CPU of gunicorn's workers
and of the journey's. None of those startup objects ever becomes garbage; `gc.freeze()`
moves them to a generation no collection visits (and, in a process that forks
workers, stops the collector writing to pages the children share)."""

import gc


def freeze_startup_objects() -> None:
    """Collect what starting up left over, then leave every surviving object out of
    later collections. Call once the process has loaded its code, before it serves."""
    gc.collect()
    gc.freeze()
