"""Parsing a function's source into a gast tree with its location."""

import textwrap

import gast

from .diagnostics import SourceInfo, TransformError


def parse_source(source, filename="<string>", first_line=1):
    """Parse the source of one function definition.

    ``first_line`` is the line of the file where ``source`` starts, so that
    errors and comments point at the user's file.
    """
    dedented = textwrap.dedent(source)
    indent = 0
    for a, b in zip(source.splitlines(), dedented.splitlines()):
        if b.strip():
            indent = len(a) - len(b)
            break
    try:
        module = gast.parse(dedented)
    except SyntaxError as exc:
        raise TransformError(
            f"syntax error: {exc.msg}", filename, (exc.lineno or 1) + first_line - 1,
            max((exc.offset or 1) - 1, 0), exc.text or "",
        ) from None
    lines = dedented.splitlines()
    info = SourceInfo(filename, lines, first_line - 1, indent)
    defs = [n for n in module.body if isinstance(n, gast.FunctionDef)]
    if not defs and module.body and isinstance(module.body[0], gast.AsyncFunctionDef):
        raise info.error(module.body[0], "cannot differentiate an async function",
                         "differentiate a plain (synchronous) function")
    if not defs and any(isinstance(n, gast.Lambda) for n in gast.walk(module)):
        line = lines[0] if lines else ""
        raise TransformError(
            "cannot differentiate a lambda defined outside the function", filename,
            first_line, indent, line,
            "define it with def, or as a lambda inside the function that calls it")
    if not defs:
        raise TransformError("no function definition found", filename, first_line, 0)
    return defs[0], info
