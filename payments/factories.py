from datetime import UTC, timedelta
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from payments.models import MirrorSwitch, Payment, ReconciliationFinding, ReconciliationRun, StripeEvent


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


class ReconciliationFindingFactory(DjangoModelFactory):
    class Meta:
        model = ReconciliationFinding

    run = factory.SubFactory(
        "payments.factories.ReconciliationRunFactory",
    )
    kind = ReconciliationFinding.Kind.CHARGE_WITHOUT_ORDER
    stripe_id = factory.Sequence(lambda n: f"ch_test{n:06d}")
    detail = "charge of 10.00 EUR has no payment of ours"


class ReconciliationRunFactory(DjangoModelFactory):
    class Meta:
        model = ReconciliationRun

    started_at = factory.Faker("date_time_this_month", tzinfo=UTC)
    window_start = factory.LazyAttribute(lambda run: run.started_at - timedelta(days=1))
    finished_at = factory.LazyAttribute(lambda run: run.started_at)


def mirror_switch() -> MirrorSwitch:
    return MirrorSwitch.objects.get_or_create(id=1)[0]
