"""The order journey: how an accepted order moves, by itself, to its end.

- `transitions`: the state machine; the only code that changes `Order.status`.
- `steps`: claiming waiting orders in batches and running a step over them.
- `handlers`: what each step does to one order.
- `wakeups`: the coalesced django-q2 wake-up of a step.
- `sweeper`: the periodic re-drive that makes a lost task harmless.
"""
