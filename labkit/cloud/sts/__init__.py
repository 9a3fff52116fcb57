"""STS: temporary credentials that act in the caller's account (moto hands out one fixed example key)."""
