"""The demo world's fixed tables (docs/DESIGN.md section 7): its staff, its catalogue,
its stock and its partners. Everything here is a fixed table or comes from a seeded generator,
so two runs on two machines build the same world."""

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from devdata.world import CHARGED_TEST_CARD, DECLINED_TEST_CARD, WAREHOUSES
from partners.models import Membership, Partner

# Changing the seed changes every stock level of the demo world.
STOCK_SEED = 20250214


@dataclass(frozen=True)
class StaffSpec:
    username: str
    email: str
    # A shipped role group (backoffice/roles.py), by name; a superuser needs none.
    group: str = ""
    superuser: bool = False


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    name: str
    category: str
    unit: str
    case_pack: int
    list_price: Decimal
    min_order_qty: int = 0
    # Days of life left at delivery for a partner without a rule of its own.
    min_days_at_delivery: int | None = None


@dataclass(frozen=True)
class PartnerSpec:
    code: str
    name: str
    segment: str
    email: str
    payment_method: str
    home_warehouse: str
    username: str
    role: str
    # (label, line1, postcode, city, country, route code); the first is the default.
    ship_tos: tuple[tuple[str, str, str, str, str, str], ...]
    # One of Stripe's test payment methods to set on file (devdata.world); "" for none.
    test_card: str = ""
    # A second user of the partner, its partner admin, where `username` is a buyer.
    admin_username: str = ""
    credit_limit: Decimal | None = None
    # Invoices already open when the demo starts, so a larger order shows a credit hold.
    opening_balance: Decimal = Decimal("0.00")
    # (sku, ((min_quantity, percent off list), ...)): several rows make quantity breaks.
    prices: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = ()
    # Days of life the partner wants left at delivery; None: each product's default.
    min_days_at_delivery: int | None = None


@dataclass(frozen=True)
class RouteSpec:
    code: str
    name: str
    warehouse: str
    delivery_weekdays: tuple[int, ...]  # ISO: 1 is Monday
    order_by_time: str  # HH:MM on the warehouse's clock
    lead_days: int


# --- The delivery routes ----------------------------------------------------------------

ROUTES = (
    RouteSpec("AMS-NL", "Aalsmeer to the Netherlands", "AMS", (1, 2, 3, 4, 5, 6), "14:00", 1),
    RouteSpec("RTM-NL", "Rotterdam to the Netherlands", "RTM", (1, 2, 3, 4, 5), "12:00", 1),
    RouteSpec("LHR-UK", "Heathrow to the United Kingdom", "LHR", (2, 5), "10:00", 2),
)


# --- The staff --------------------------------------------------------------------------

# The superuser, and one non-superuser in each shipped role group: the ERP integration
# account among them, whose token can do only what its group allows.
STAFF = [
    StaffSpec("backoffice", "backoffice@bouquet.example.com", superuser=True),
    StaffSpec("catalogue", "catalogue@bouquet.example.com", group="Catalogue manager"),
    StaffSpec("warehouse", "warehouse@bouquet.example.com", group="Warehouse"),
    StaffSpec("credit", "credit@bouquet.example.com", group="Credit control"),
    StaffSpec("service", "service@bouquet.example.com", group="Customer service"),
    StaffSpec("erp", "erp@bouquet.example.com", group="ERP integration"),
]

# --- The catalogue ----------------------------------------------------------------------

# (code, variety, price per stem at 50 cm, minimum order)
ROSES = [
    ("NAOMI", "Red Naomi", "0.46", 0),
    ("AVALANCHE", "Avalanche", "0.42", 0),
    ("FREEDOM", "Freedom", "0.40", 0),
    ("SWEETAVA", "Sweet Avalanche", "0.44", 0),
    ("PINKFLOYD", "Pink Floyd", "0.43", 0),
    ("COUNTRYBLUES", "Country Blues", "0.52", 100),
    ("MONDIAL", "Mondial", "0.39", 0),
    ("EXPLORER", "Explorer", "0.41", 0),
]


# (length in cm, stems a case, surcharge per stem over 50 cm)
ROSE_LENGTHS = [(50, 50, "0.00"), (60, 20, "0.08"), (70, 20, "0.16")]


TULIPS = [
    ("STRONGGOLD", "Strong Gold", "0.24", 0),
    ("ILEDEFRANCE", "Ile de France", "0.26", 0),
    ("WHITEDREAM", "White Dream", "0.25", 0),
    ("PURPLEPRINCE", "Purple Prince", "0.25", 0),
    ("COLUMBUS", "Columbus (double)", "0.34", 100),
    ("QUEENOFNIGHT", "Queen of Night", "0.31", 0),
    ("ANGELIQUE", "Angelique (double)", "0.36", 100),
    ("YOKOHAMA", "Yokohama", "0.24", 0),
    ("DYNASTY", "Dynasty", "0.27", 0),
    ("BARCELONA", "Barcelona", "0.28", 0),
]


# (code, name, stems a case, price per stem)
CHRYSANTHEMUMS = [
    ("BALTICA", "disbud Baltica White", 10, "0.62"),
    ("ZEMBLA", "disbud Zembla Lime", 10, "0.68"),
    ("ANTONOV", "disbud Antonov", 10, "0.72"),
    ("ANASTASIA", "disbud Anastasia Green", 10, "0.74"),
    ("BACARDI", "spray Bacardi", 20, "0.38"),
    ("STALLION", "spray Stallion", 20, "0.35"),
    ("HAYDAR", "spray Haydar", 20, "0.36"),
    ("ROSSANO", "Santini Rossano", 25, "0.29"),
]


# (code, name, pots a case, price per pot, minimum order)
PLANTS = [
    ("PHAL-2T-12", "Phalaenopsis 2 stems, 12 cm pot", 6, "6.90", 12),
    ("KAL-10", "Kalanchoe mixed, 10.5 cm pot", 6, "1.45", 0),
    ("ANTH-12", "Anthurium Red Champion, 12 cm pot", 6, "5.80", 0),
    ("SPATH-12", "Spathiphyllum Bellini, 12 cm pot", 6, "3.20", 0),
    ("HYDR-14", "Hydrangea pink, 14 cm pot", 6, "4.95", 0),
    ("CALA-14", "Calathea Medallion, 14 cm pot", 6, "4.40", 0),
    ("SANS-17", "Sansevieria Laurentii, 17 cm pot", 6, "6.50", 0),
    ("ZZ-17", "Zamioculcas zamiifolia, 17 cm pot", 6, "7.20", 0),
    ("FICUS-21", "Ficus lyrata, 21 cm pot", 1, "17.50", 0),
    ("MONS-24", "Monstera deliciosa, 24 cm pot", 1, "21.00", 0),
    ("STREL-21", "Strelitzia nicolai, 21 cm pot", 1, "18.90", 0),
    ("OLEA-120", "Olive tree 120 cm, 30 cm pot", 1, "64.00", 2),
]


# (code, name, unit, units a case, price per unit, minimum order)
SUNDRIES = [
    ("FOAM-BRICK", "Floral foam bricks, box of 35", "box", 1, "38.50", 0),
    ("TAPE-GREEN", "Florist tape green 13 mm", "piece", 10, "1.15", 20),
    ("RIBBON-RED", "Satin ribbon red 25 mm x 50 m", "piece", 5, "3.60", 0),
    ("KRAFT-ROLL", "Kraft wrapping paper 50 cm x 100 m", "piece", 2, "14.80", 0),
    ("SLEEVE-40", "Cellophane bouquet sleeves 40 cm, box of 100", "box", 1, "9.90", 0),
    ("FOOD-SACHET", "Flower food sachets, box of 1000", "box", 1, "24.00", 0),
    ("VASE-CYL-30", "Glass cylinder vase 30 cm", "piece", 6, "3.85", 0),
    ("PINS-CORSAGE", "Corsage pins, box of 144", "box", 4, "2.10", 0),
    ("STRIPPER", "Rose thorn stripper", "piece", 10, "2.75", 0),
    ("CARDS-GIFT", "Gift cards assorted, box of 50", "box", 1, "4.50", 0),
]


# The cut flowers' default freshness rule (days left at delivery); plants and sundries
# do not perish and have none.
PRODUCT_MIN_DAYS = {"roses": 4, "tulips": 3, "chrysanthemums": 5}


def demo_catalogue() -> list[ProductSpec]:
    """Return the demo products in a fixed order."""
    products = []
    for code, variety, base_price, minimum in ROSES:
        for length, case_pack, surcharge in ROSE_LENGTHS:
            products.append(
                ProductSpec(
                    f"RO-{code}-{length}",
                    f"Rose {variety} {length} cm",
                    "roses",
                    "stem",
                    case_pack,
                    Decimal(base_price) + Decimal(surcharge),
                    minimum,
                )
            )
    for code, variety, price, minimum in TULIPS:
        products.append(ProductSpec(f"TU-{code}", f"Tulip {variety}", "tulips", "stem", 50, Decimal(price), minimum))
    for code, name, case_pack, price in CHRYSANTHEMUMS:
        products.append(
            ProductSpec(f"CH-{code}", f"Chrysanthemum {name}", "chrysanthemums", "stem", case_pack, Decimal(price))
        )
    for code, name, case_pack, price, minimum in PLANTS:
        products.append(ProductSpec(f"PL-{code}", name, "plants", "pot", case_pack, Decimal(price), minimum))
    for code, name, unit, case_pack, price, minimum in SUNDRIES:
        products.append(ProductSpec(f"SU-{code}", name, "sundries", unit, case_pack, Decimal(price), minimum))
    return [replace(spec, min_days_at_delivery=PRODUCT_MIN_DAYS.get(spec.category)) for spec in products]


CATALOGUE = tuple(demo_catalogue())


def demo_stock(products: Sequence[ProductSpec]) -> dict[str, dict[str, int]]:
    """Return the opening on-hand quantity per SKU and warehouse code, in whole
    cases: always Aalsmeer, and Rotterdam or London or both. Every tenth product is
    sold out in Aalsmeer (but held in Rotterdam), so the routing fallback has
    something to show."""
    rng = random.Random(STOCK_SEED)
    stock = {}
    for index, product in enumerate(products):
        # Draw the same numbers for every product whatever is kept, so that one
        # product's rule cannot shift the levels of the next.
        in_rtm, in_lhr = rng.random() < 0.75, rng.random() < 0.45
        cases = [rng.randint(3, 80) for _ in WAREHOUSES]
        levels = {"AMS": cases[0] * product.case_pack}
        if in_rtm or not in_lhr or index % 10 == 7:
            levels["RTM"] = cases[1] * product.case_pack
        if in_lhr:
            levels["LHR"] = cases[2] * product.case_pack
        if index % 10 == 7:
            levels["AMS"] = 0
        stock[product.sku] = levels
    return stock


# --- The partners -----------------------------------------------------------------------

PARTNERS = [
    PartnerSpec(
        code="BLOOM",
        name="Bloom & Co. Florists",
        segment=Partner.Segment.FLORIST,
        email="orders@bloom.example.com",
        payment_method=Partner.PaymentMethod.CARD,
        home_warehouse="AMS",
        username="bloom",
        role=Membership.Role.ADMIN,
        ship_tos=(
            ("Shop", "Prinsengracht 112", "1015 EA", "Amsterdam", "NL", "AMS-NL"),
            ("Market stall", "Singel 610", "1017 AZ", "Amsterdam", "NL", "AMS-NL"),
        ),
        test_card=CHARGED_TEST_CARD,
        min_days_at_delivery=3,
        prices=(
            ("RO-NAOMI-50", ((1, 8), (500, 14))),
            ("RO-NAOMI-60", ((1, 8), (200, 12))),
            ("RO-AVALANCHE-60", ((1, 6),)),
            ("RO-SWEETAVA-60", ((1, 6),)),
            ("RO-COUNTRYBLUES-70", ((1, 5),)),
            ("TU-STRONGGOLD", ((1, 10), (500, 15))),
            ("TU-ILEDEFRANCE", ((1, 10),)),
            ("TU-WHITEDREAM", ((1, 10),)),
            ("CH-BALTICA", ((1, 7),)),
            ("CH-BACARDI", ((1, 7),)),
            ("PL-PHAL-2T-12", ((1, 5), (36, 9))),
            ("SU-RIBBON-RED", ((1, 12),)),
        ),
    ),
    PartnerSpec(
        code="FERN",
        name="Fernhill Garden Centre",
        segment=Partner.Segment.GARDEN_CENTRE,
        email="inkoop@fernhill.example.com",
        payment_method=Partner.PaymentMethod.ACCOUNT,
        home_warehouse="RTM",
        username="fern",
        role=Membership.Role.BUYER,
        admin_username="fern-admin",
        ship_tos=(("Garden centre", "Kralingse Plaslaan 7", "3062 DA", "Rotterdam", "NL", "RTM-NL"),),
        credit_limit=Decimal("5000.00"),
        opening_balance=Decimal("4600.00"),
        min_days_at_delivery=5,
        prices=(("PL-KAL-10", ((1, 10), (60, 15))), ("PL-HYDR-14", ((1, 10),)), ("PL-OLEA-120", ((1, 5),))),
    ),
    PartnerSpec(
        code="THORN",
        name="Thorn & Thistle Flowers",
        segment=Partner.Segment.FLORIST,
        email="shop@thorn.example.com",
        payment_method=Partner.PaymentMethod.CARD,
        home_warehouse="LHR",
        username="thorn",
        role=Membership.Role.BUYER,
        ship_tos=(("Shop", "Haarlemmerstraat 40", "1013 ER", "Amsterdam", "NL", "AMS-NL"),),
        test_card=DECLINED_TEST_CARD,
    ),
]
