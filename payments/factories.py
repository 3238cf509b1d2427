from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from orders.factories import OrderFactory
from payments.models import DeadLetter, Payment, StripeEvent


class PaymentFactory(DjangoModelFactory):
    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory)
    method = Payment.Method.ACCOUNT
    status = Payment.Status.PENDING
    amount = Decimal("10.00")


class StripeEventFactory(DjangoModelFactory):
    class Meta:
        model = StripeEvent

    id = factory.Sequence(lambda n: f"evt_test{n:06d}")
    type = "payment_intent.succeeded"


class DeadLetterFactory(DjangoModelFactory):
    class Meta:
        model = DeadLetter

    task = "journey.pay"
    order = factory.SubFactory(OrderFactory)
    error = "RuntimeError: boom"
    attempts = 6
