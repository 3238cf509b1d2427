from config.errors import DomainError, NotFoundError


class FulfillmentError(DomainError):
    code = "fulfillment_error"


class ShipmentNotFoundError(NotFoundError):
    code = "shipment_not_found"
