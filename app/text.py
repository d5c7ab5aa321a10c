"""Text from outside (the store, customers, merchants) made safe to keep and to put in a header.

Control characters (C0, DEL, C1 with NEL) and the Unicode line separators have no place in a
name, an address or a subject, and a CR/LF in a mail header adds a header or a recipient of the
sender's choosing. Lone surrogates (JSON lets `\\ud800` through) cannot be stored by any database.
"""

import re

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def clean(value: str) -> str:
    """`value` with each unsafe character made a space, then stripped."""
    return UNSAFE.sub(" ", value).strip()


def one_line(value) -> str:
    """`value` cleaned, with runs of whitespace made one space."""
    return " ".join(UNSAFE.sub(" ", str(value)).split())
