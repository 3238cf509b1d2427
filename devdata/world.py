"""What every made-up world shares, the demo's, the benchmark's and the tests': the
three warehouses and the two cards the Stripe stand-in (localstripe) answers to."""

# (code, name, routing priority): the lowest priority number ships first.
WAREHOUSES = (("AMS", "Aalsmeer", 1), ("RTM", "Rotterdam", 2), ("LHR", "London Heathrow", 3))

# A card the stand-in charges.
VISA = "4242424242424242"
# A card the stand-in declines on confirm (402 card_declined). Stripe's usual
# 4000000000000002 does not decline a PaymentIntent there.
DECLINING_CARD = "4000000000000341"
