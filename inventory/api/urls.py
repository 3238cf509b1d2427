from django.urls import path

from inventory.api import views

urlpatterns = [
    path("products/", views.ProductListApi.as_view(), name="api-products"),
    path("products/<str:sku>/", views.ProductApi.as_view(), name="api-product"),
    path("stock/", views.StockListApi.as_view(), name="api-stock-list"),
    path("stock/<str:sku>/<str:warehouse>/", views.StockApi.as_view(), name="api-stock"),
]
