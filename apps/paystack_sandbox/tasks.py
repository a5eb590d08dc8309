from celery import shared_task


@shared_task(name="paystack_sandbox.deliver_webhook")
def deliver_sandbox_webhook(kind: str, object_id: str, event_type: str) -> int:
    """POST a signed webhook about a sandbox object to our own endpoint.

    Not retried: a lost sandbox webhook is what the verify path (Paystack verify after a
    grace period) exists for, and `make run` runs this inline in the checkout request.
    """
    from .services import sandbox_webhook_deliver

    return sandbox_webhook_deliver(kind=kind, object_id=object_id, event_type=event_type)
