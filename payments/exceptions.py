from config.errors import DomainError


class PaymentError(DomainError):
    code = "payment_error"


class CardDeclinedError(PaymentError):
    """Stripe refused the card: a final answer for this order, not a failure to retry."""

    code = "payment_declined"


class PaymentGatewayUnavailableError(PaymentError):
    """Stripe could not be reached or answered with a server error, or the circuit
    breaker is open: try again later."""

    code = "payment_gateway_unavailable"

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after
