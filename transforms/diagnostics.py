"""Located errors, reported the way a compiler reports them."""


class SrcgradError(Exception):
    """Every error srcgrad raises on purpose (re-exported as ``srcgrad.SrcgradError``).

    It is defined here, the bottom of the import graph, so that
    :class:`TransformError` can be a real subclass: ``except`` clauses do not
    honour ``abc`` registration.
    """


class TransformError(SrcgradError):
    """A construct that cannot be differentiated, with its location.

    ``str(err)`` reads::

        model.py:12:8: cannot differentiate a call to 'foo': it has no source
            y = foo(x)
                ^
        help: write it with functions srcgrad has rules for, or ...
    """

    def __init__(self, message, filename="<unknown>", lineno=0, col=0, line="", hint=""):
        self.message = message
        self.filename = filename
        self.lineno = lineno
        self.col = col
        self.line = line
        self.hint = hint
        super().__init__(self.render())

    def render(self):
        out = [f"{self.filename}:{self.lineno}:{self.col + 1}: {self.message}"]
        if self.line:
            stripped = self.line.rstrip("\n")
            out.append("    " + stripped)
            out.append("    " + " " * self.col + "^")
        if self.hint:
            out.append(f"help: {self.hint}")
        return "\n".join(out)


class SourceInfo:
    """Where a parsed function came from: file name, first line, source lines."""

    def __init__(self, filename, lines, line_offset=0, col_offset=0):
        self.filename = filename
        self.lines = lines  # the source lines of the function, as parsed
        self.line_offset = line_offset  # add to a node's lineno for the file's line
        self.col_offset = col_offset  # indentation removed before parsing

    current = None  # the user's statement being transformed, for nodes without a location

    def error(self, node, message, hint=""):
        if getattr(node, "lineno", None) is None and self.current is not None:
            node = self.current
        lineno = getattr(node, "lineno", 1) or 1
        col = getattr(node, "col_offset", 0) or 0
        line = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        return TransformError(
            message,
            self.filename,
            lineno + self.line_offset,
            col + self.col_offset,
            (" " * self.col_offset) + line if line else "",
            hint,
        )

    def short_location(self, node):
        """``file.py:12``: the file's base name, so output does not depend on paths."""
        base = self.filename.replace("\\", "/").rsplit("/", 1)[-1]
        return f"{base}:{getattr(node, 'lineno', 1) + self.line_offset}"

    def location(self, node):
        return f"{self.filename}:{getattr(node, 'lineno', 1) + self.line_offset}"
