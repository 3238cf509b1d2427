"""A campaign's addresses, mounted at /campaigns/ by portal.urls: the page itself is at
orders.campaigns.prebook_page_path, where intake's refusals point buyers."""

from django.urls import path

from config.upload_limits import limit_upload_size
from portal import campaigns

urlpatterns = [
    path("", campaigns.CampaignListView.as_view(), name="campaigns"),
    path("<str:code>/", campaigns.CampaignView.as_view(), name="campaign"),
    path(
        "<str:code>/upload/",
        limit_upload_size("CSV_UPLOAD_MAX_BYTES")(campaigns.PrebookUploadView.as_view()),
        name="prebook-upload",
    ),
    path("<str:code>/prebooks/<int:prebook_id>/change/", campaigns.PrebookChangeView.as_view(), name="prebook-change"),
    path(
        "<str:code>/prebooks/<int:prebook_id>/withdraw/",
        campaigns.PrebookWithdrawView.as_view(),
        name="prebook-withdraw",
    ),
]
