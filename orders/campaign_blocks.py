"""What intake refuses for campaigns, as its per-process cache keeps it: every
(product, date) sold only through pre-books until the campaign's first committed run
(orders.campaigns says why and words the refusal)."""

from dataclasses import dataclass
from datetime import date

from config.supplier_day import supplier_today
from orders.models import CampaignProduct


@dataclass(frozen=True, slots=True)
class CampaignBlock:
    """A campaign's product on its date, not yet allocated."""

    code: str
    name: str


def load_campaign_blocks() -> dict[tuple[int, date], CampaignBlock]:
    """Every (product id, date) sold only through pre-books today, in one query."""
    rows = CampaignProduct.objects.filter(
        campaign__first_committed_at__isnull=True, campaign__delivery_date__gte=supplier_today()
    ).values_list("product_id", "campaign__delivery_date", "campaign__code", "campaign__name")
    return {(product_id, day): CampaignBlock(code, name) for product_id, day, code, name in rows}
