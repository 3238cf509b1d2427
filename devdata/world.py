"""What every made-up world shares, the demo's, the benchmark's and the tests': the
three warehouses and the two test cards the demo and the benchmark set on file."""

# (code, name, routing priority, time zone): the lowest priority number ships first;
# the zone is the one its routes' order-by times are read in.
WAREHOUSES = (
    ("AMS", "Aalsmeer", 1, "Europe/Amsterdam"),
    ("RTM", "Rotterdam", 2, "Europe/Amsterdam"),
    ("LHR", "London Heathrow", 3, "Europe/London"),
)

# Stripe's test payment methods, which the stand-in (localstripe) knows too: set on
# file through a SetupIntent (payments.cards_on_file.set_up_test_card), so no card
# number appears in our code. One is charged; the other is saved but declined when
# charged (402 card_declined on confirming a PaymentIntent).
CHARGED_TEST_CARD = "pm_card_visa"
DECLINED_TEST_CARD = "pm_card_chargeCustomerFail"
