"""A chaos scenario: what it does while orders flow, and what it promises."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Scenario:
    name: str
    description: str
    fault: Callable[["ChaosRun"], dict]  # noqa: F821 (bench.chaos.ChaosRun)
    attempt_timeout: Callable[[int], float] | None = None
    # What the platform needs before the orders start flowing (two hosts of each kind).
    before: Callable[["ChaosRun"], None] | None = None  # noqa: F821
    # The scenario's own checks once the flow has stopped, before the drain and audit.
    afterwards: Callable[["ChaosRun"], dict] | None = None  # noqa: F821
    # A deploy must cost no request: any attempt that failed fails the scenario. Faults
    # of the platform's services (Redis, PostgreSQL down) may answer 503 meanwhile.
    promises_no_failed_request: bool = False
