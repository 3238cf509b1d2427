from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from payments.models import Payment, StripeEvent


class PaymentFactory(DjangoModelFactory):
    class Meta:
        model = Payment

    order = factory.SubFactory("orders.factories.OrderFactory")
    method = Payment.Method.ACCOUNT
    status = Payment.Status.PENDING
    amount = Decimal("10.00")


class StripeEventFactory(DjangoModelFactory):
    class Meta:
        model = StripeEvent

    id = factory.Sequence(lambda n: f"evt_test{n:06d}")
    type = "payment_intent.succeeded"
