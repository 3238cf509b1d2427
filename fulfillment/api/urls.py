from django.urls import path

from fulfillment.api import views

urlpatterns = [
    path("shipments/", views.ShipmentListApi.as_view(), name="api-shipments"),
    path("shipments/<int:shipment_id>/dispatch/", views.ShipmentDispatchApi.as_view(), name="api-shipment-dispatch"),
]
