"""What each journey step does, one module per step: `reserve`, `pay`, `finalize`,
`refund`. Each has `<step>_one(order_id)`, for one order in its own transaction, and
where it pays off `<step>_batch(order_ids)`, for a claimed batch in one transaction
exactly as `<step>_one` would order by order; the two sit side by side so that a
change to one is made beside the other. Every step is safe to run twice or from two
workers at once: it locks the order, checks the state it expects, and otherwise does
nothing. Calls to Stripe happen outside any transaction."""
