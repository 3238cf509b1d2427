from django.urls import path

from partners.api import catalogue, views

urlpatterns = [
    path("products/", catalogue.ProductListApi.as_view(), name="api-products"),
    path("products/<str:sku>/", catalogue.ProductApi.as_view(), name="api-product"),
    path("prices/<str:partner_code>/<str:sku>/", views.PartnerPriceApi.as_view(), name="api-partner-price"),
]
