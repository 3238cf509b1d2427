"""The order journey's workers: how an accepted order moves, by itself, to its end.
Above every app it drives, and imported by none (docs/ARCHITECTURE.md, "Layers").

- `runner`: the step table (`STEPS`), claiming waiting orders in batches with a lease,
  running a step over them, retries, backoff and dead letters.
- `steps`: what each step does, one module per step (`reserve`, `pay`, `finalize`,
  `refund`), each with its per-order and batch paths side by side.
- `stripe_threads`: the threads a worker talks to Stripe on.
- `sweeper`: the periodic re-drive that makes a lost task harmless, and its thresholds.
- `tasks`: the thin django-q2 tasks that run a step or the sweeper.
- `payment_events`: Stripe's webhook, which wakes the pay step.

The state machine itself (`orders.states`, `orders.transitions`) and the coalesced
wake-ups (`orders.wakeups`) live in `orders`, below everything that uses them.
"""
