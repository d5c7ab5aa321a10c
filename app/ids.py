"""Row ids for tables without a natural key.

Time-ordered 63-bit integers made in Python, so a composite primary key
(shop_id, id) works the same on SQLite and PostgreSQL and needs no sequence:
that is what lets every table be distributed by shop later.
"""
import secrets
import time


def new_id() -> int:
    return (time.time_ns() // 1_000_000) << 20 | secrets.randbits(20)
