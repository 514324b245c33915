"""The delivery engine: every proactive message leaves through the outbox (see contract.py)."""
