"""Laying out generated source: comments, long lines, docstrings.

``ast.unparse`` writes every statement on one line and has no comments.
The generators mark comments with string statements; this module turns them
into ``#`` comments and wraps lines longer than the limit at the commas of
their outermost bracket, or a long sum at its ``+`` and ``-``, the way a
formatter would.

>>> print(wrap_line("    tape.append((alpha, beta, gamma))", 30))
    tape.append((
        alpha,
        beta,
        gamma,
    ))
>>> print(wrap_line("    dx = a * b * c - a * b * d + e", 20))
    dx = (
        a * b * c
        - a * b * d
        + e
    )
"""

import ast
import re

LIMIT = 99
_TARGETS = re.compile(r"^(\s*)([A-Za-z_][\w]*(?:, [A-Za-z_][\w]*)+) = (.+)$")


def _scan(text, start=0):
    """Yield (index, char, depth after it) outside string literals."""
    depth, quote = 0, None
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = None
            continue
        if ch in "'\"":
            quote = ch
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        yield i, ch, depth


def _split_top(text):
    """Split at commas that are not inside brackets or strings."""
    parts, start = [], 0
    for i, ch, depth in _scan(text):
        if ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def _matching(text, open_at):
    for i, ch, depth in _scan(text, open_at):
        if ch in ")]}" and depth == 0:
            return i
    return -1


def wrap_line(line, limit=LIMIT):
    """``line`` split over several lines if it is longer than ``limit``."""
    if len(line) <= limit or line.lstrip().startswith("#"):
        return line
    indent = line[: len(line) - len(line.lstrip())]
    m = _TARGETS.match(line)
    if m:
        names = m.group(2).split(", ")
        head = "\n".join(f"{indent}    {n}," for n in names)
        rest = wrap_line(f"{indent}) = {m.group(3)}", limit)
        return f"{indent}(\n{head}\n{rest}"
    for open_at, ch in enumerate(line):
        if ch not in "([" or open_at < len(indent):
            continue
        close = _matching(line, open_at)
        if close < 0:
            return line
        inner = line[open_at + 1:close]
        # descend into a single argument that is itself a bracketed display
        if inner.startswith(("(", "[")) and _matching(line, open_at + 1) == close - 1:
            open_at, close = open_at + 1, close - 1
            inner = line[open_at + 1:close]
        parts = _split_top(inner)
        if _comprehension(inner):
            continue  # ``t, c`` in ``for t, c in ...`` is not a list of arguments
        if not parts or (len(parts) < 2 and len(line) - len(line[close:]) < limit):
            continue
        if len(parts) == 1:
            # a single operand: no trailing comma, which would make a tuple
            body = wrap_line(f"{indent}    {parts[0]}", limit)
        else:
            body = "\n".join(wrap_line(f"{indent}    {p},", limit) for p in parts)
        return f"{line[:open_at + 1]}\n{body}\n{indent}{line[close:]}"
    return _wrap_sum(line, indent, limit)


_ASSIGN = re.compile(r"^(\s*[A-Za-z_][\w.]*(?:\[[^=]*\])? (?:[-+*/@]?=) )(.+)$")


def _wrap_sum(line, indent, limit):
    """``y = a + b - c``, too long and with no bracket to break at, as a
    parenthesized sum with one term per line (operators first)."""
    m = _ASSIGN.match(line)
    if not m:
        return line
    head, value = m.groups()
    terms, start = [], 0
    for i, ch, depth in _scan(value):
        if depth == 0 and ch in "+-" and value[i - 1:i] == " " and value[i + 1:i + 2] == " ":
            terms.append(value[start:i].strip())
            start = i
    terms.append(value[start:].strip())
    if len(terms) < 2:
        return line
    body = "\n".join(f"{indent}    {t}" for t in terms)
    return f"{head}(\n{body}\n{indent})"


def _comprehension(inner):
    """True when ``inner`` (a bracket's contents) is a comprehension at its top level."""
    depth = 0
    quote = None
    for i, ch in enumerate(inner):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and inner.startswith(" for ", i):
            return True
    return False


def wrap_comment(indent, text, location, limit=LIMIT):
    """A ``# statement  file:line`` comment, the location on its own line if needed."""
    one = f"{indent}# {text}  {location}"
    if len(one) <= limit:
        return [one]
    room = limit - len(indent) - 2
    text = text if len(text) <= room else text[: room - 3] + "..."
    return [f"{indent}# {text}", f"{indent}#   ({location})"]


def wrap_docstring(indent, text, limit=LIMIT):
    """A docstring statement, wrapped at word boundaries."""
    import textwrap

    width = limit - len(indent)
    lines = textwrap.wrap(text, width=width - 3)
    if len(lines) <= 1:
        return [f'{indent}"""{text}"""']
    out = [f'{indent}"""{lines[0]}'] + [f"{indent}{ln}" for ln in lines[1:]]
    out.append(f'{indent}"""')
    return out


def literal(text):
    return ast.literal_eval(text)
