from django.urls import path

from fulfillment.api import views

urlpatterns = [
    path("shipments/", views.ShipmentListApi.as_view(), name="api-shipments"),
]
