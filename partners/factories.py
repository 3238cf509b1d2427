from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from inventory.factories import ProductFactory, WarehouseFactory
from partners.models import CreditAccount, Membership, Partner, PartnerPrice, ShipToAddress


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("bouquet-test")


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner
        skip_postgeneration_save = True
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.LazyAttribute(lambda o: f"Partner {o.code}")
    payment_method = Partner.PaymentMethod.ACCOUNT
    home_warehouse = factory.SubFactory(WarehouseFactory)
    credit = factory.RelatedFactory("partners.factories.CreditAccountFactory", factory_related_name="partner")


class CreditAccountFactory(DjangoModelFactory):
    class Meta:
        model = CreditAccount
        django_get_or_create = ("partner",)

    partner = factory.SubFactory(PartnerFactory, credit=None)
    credit_limit = Decimal("100000.00")
    open_balance = Decimal("0.00")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = Membership.Role.BUYER


class ShipToAddressFactory(DjangoModelFactory):
    class Meta:
        model = ShipToAddress

    partner = factory.SubFactory(PartnerFactory)
    label = factory.Sequence(lambda n: f"Shop {n}")
    line1 = "Bloemenmarkt 1"
    postcode = "1012 AB"
    city = "Amsterdam"
    country = "NL"
    is_default = False
    # The first route of the partner's home warehouse (a test warehouse has `<code>-ALL`).
    route = factory.LazyAttribute(
        lambda o: o.partner.home_warehouse.routes.order_by("code").first() if o.partner.home_warehouse else None
    )


class PartnerPriceFactory(DjangoModelFactory):
    class Meta:
        model = PartnerPrice

    partner = factory.SubFactory(PartnerFactory)
    product = factory.SubFactory(ProductFactory)
    min_quantity = 1
    unit_price = Decimal("1.00")
