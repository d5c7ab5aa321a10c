"""The GraphQL rate limit: a leaky bucket of cost points per app and shop, as Shopify runs it."""

import threading
import time


class Bucket:
    def __init__(self, maximum: float, restore_rate: float, clock=time.monotonic):
        self.maximum, self.restore_rate, self.clock = maximum, restore_rate, clock
        self._level, self._at = maximum, clock()
        self._lock = threading.Lock()

    def available(self) -> float:
        with self._lock:
            return self._refill()

    def _refill(self) -> float:
        now = self.clock()
        self._level = min(self.maximum, self._level + (now - self._at) * self.restore_rate)
        self._at = now
        return self._level

    def take(self, cost: float) -> bool:
        """Take `cost` points if there are that many; False (and nothing taken) means throttled."""
        with self._lock:
            if self._refill() < cost:
                return False
            self._level -= cost
            return True

    def refund(self, points: float):
        """Give back what a query was charged beyond its actual cost."""
        with self._lock:
            self._level = min(self.maximum, self._refill() + points)

    def status(self) -> dict:
        return {
            "maximumAvailable": self.maximum,
            "currentlyAvailable": round(self.available(), 1),
            "restoreRate": self.restore_rate,
        }
