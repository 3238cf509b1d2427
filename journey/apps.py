from django.apps import AppConfig


class JourneyConfig(AppConfig):
    """The workers that drive the order journey: steps, runner, sweeper, Stripe's webhook."""

    name = "journey"
