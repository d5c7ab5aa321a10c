"""Row ids for tables without a natural key.

Time-ordered 63-bit integers made in Python, so a composite primary key
(shop_id, id) works the same on SQLite and PostgreSQL and needs no sequence:
that is what lets every table be distributed by shop later.

Layout (snowflake-style): 41 bits of milliseconds since 2020, 10 bits naming the
process, 12 bits counting within the millisecond. Within a process ids never
repeat (when 4,096 are used up in a millisecond, the next millisecond is borrowed);
across processes a repeat needs the same process bits, millisecond and count.
"""

import os
import secrets
import threading
import time

EPOCH_MS = 1_577_836_800_000  # 2020-01-01
_NODE = (os.getpid() ^ secrets.randbits(10)) & 0x3FF
_lock = threading.Lock()
_last_ms = 0
_sequence = 0


def new_id() -> int:
    global _last_ms, _sequence
    with _lock:
        now = time.time_ns() // 1_000_000
        if now <= _last_ms:
            now = _last_ms
            _sequence = (_sequence + 1) & 0xFFF
            if _sequence == 0:  # 4,096 ids in one millisecond: borrow the next one
                now += 1
        else:
            _sequence = 0
        _last_ms = now
        return (now - EPOCH_MS) << 22 | _NODE << 12 | _sequence
