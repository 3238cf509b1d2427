"""What every made-up world shares, the demo's, the benchmark's and the tests': the
three warehouses and the two cards the Stripe stand-in (localstripe) answers to."""

# (code, name, routing priority, time zone): the lowest priority number ships first;
# the zone is the one its routes' order-by times are read in.
WAREHOUSES = (
    ("AMS", "Aalsmeer", 1, "Europe/Amsterdam"),
    ("RTM", "Rotterdam", 2, "Europe/Amsterdam"),
    ("LHR", "London Heathrow", 3, "Europe/London"),
)

# A card the stand-in charges.
VISA = "4242424242424242"
# A card the stand-in declines on confirm (402 card_declined). Stripe's usual
# 4000000000000002 does not decline a PaymentIntent there.
DECLINING_CARD = "4000000000000341"
