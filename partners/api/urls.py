from django.urls import path

from partners.api import views

urlpatterns = [
    path("prices/<str:partner_code>/<str:sku>/", views.PartnerPriceApi.as_view(), name="api-partner-price"),
]
