from django.urls import path

from inventory.api import views

urlpatterns = [
    path("stock/", views.StockListApi.as_view(), name="api-stock-list"),
    path("stock/<str:sku>/<str:warehouse>/", views.StockApi.as_view(), name="api-stock"),
    path("stock/<str:sku>/<str:warehouse>/lots/<str:lot>/", views.StockLotApi.as_view(), name="api-stock-lot"),
]
