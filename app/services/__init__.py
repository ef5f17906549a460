"""Business rules. Services take plain values, return results and flush; the caller commits."""
