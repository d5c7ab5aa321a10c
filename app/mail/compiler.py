"""MJML compiled once per template version, to HTML that still holds Jinja placeholders.

Compiling MJML takes ~18 ms, rendering the result with Jinja well under one: so each
template is compiled once per content hash, kept in memory and on disk under the
instance folder (a new worker process starts warm), and rendered per recipient.
Jinja tags survive compilation inside `mj-text` content, attribute values and
`mj-raw` blocks (that is how loops over cart items are written).

Includes (`<mj-include path="..."/>`) are expanded here, textually, before
compiling: the hash then covers every part, and shared parts may sit in `mj-head`
too, which the mjml package cannot include itself.
"""

import hashlib
import os
import re
from importlib.metadata import version

from mjml import mjml_to_html

INCLUDE = re.compile(r'<mj-include\s+path="([^"]+)"\s*/>')
#: Bumped with the compiler, so an upgrade never serves HTML from the old one.
COMPILER = f"mjml-{version('mjml')}"

_memory: dict[str, str] = {}


class TemplateCompileError(RuntimeError):
    """The MJML did not compile (the message lists the compiler's complaints)."""


def expand(path: str, _seen: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """The MJML source with includes inlined, and every file it was made of."""
    path = os.path.normpath(path)
    if path in _seen:
        raise TemplateCompileError(f"include cycle: {' -> '.join(_seen + (path,))}")
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    files = [path]

    def inline(match: re.Match) -> str:
        part, part_files = expand(os.path.join(os.path.dirname(path), match.group(1)), _seen + (path,))
        files.extend(part_files)
        return part

    return INCLUDE.sub(inline, source), files


def compile_source(source: str, cache_dir: str | None) -> str:
    """HTML for an expanded MJML source, from memory, the disk cache, or the compiler."""
    digest = hashlib.sha256(f"{COMPILER}\n{source}".encode()).hexdigest()
    html = _memory.get(digest)
    if html is not None:
        return html
    cached = os.path.join(cache_dir, f"{digest}.html") if cache_dir else None
    if cached and os.path.exists(cached):
        with open(cached, encoding="utf-8") as handle:
            html = handle.read()
    else:
        result = mjml_to_html(source)
        if result.errors:
            raise TemplateCompileError("; ".join(map(str, result.errors)))
        html = _tidy(result.html)
        if cached:
            _write_atomically(cached, html)
    _memory[digest] = html
    return html


def _tidy(html: str) -> str:
    """Drop indentation and blank lines: a third smaller, same rendering (no `pre` in emails)."""
    return "\n".join(line.strip() for line in html.splitlines() if line.strip())


def _write_atomically(path: str, text: str) -> None:
    # Several workers may compile the same template at once; a rename never leaves half a file.
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)
