"""Legacy invoice rendering; scheduled to move to billing-service."""


def render_invoice(payment_id: str) -> bytes:
    raise NotImplementedError("moved to billing-service")
