"""Readable, collision-free names derived from the user's names.

>>> n = Namer({"x", "dx"})
>>> n.adjoint("x"), n.adjoint("h"), n.new("h")
('dx2', 'dh', 'h')
"""

import keyword
import re

_IDENT = re.compile(r"[^0-9a-zA-Z_]+")


class Namer:
    """Hands out names that collide neither with the user's nor with each other."""

    def __init__(self, taken=()):
        self.taken = set(taken)
        self._adjoints = {}

    def reserve(self, name):
        self.taken.add(name)

    def new(self, hint):
        base = _IDENT.sub("_", hint).strip("_") or "t"
        if base[0].isdigit():
            base = "t" + base
        if len(base) > 32:
            cut = base[:32]
            base = cut[: cut.rfind("_")] if "_" in cut[8:] else cut
            base = base.rstrip("_")
        if keyword.iskeyword(base):
            base += "_"
        name = base
        i = 1
        while name in self.taken:
            i += 1
            name = f"{base}{i}" if not base[-1].isdigit() else f"{base}_{i}"
        self.taken.add(name)
        return name

    def adjoint(self, primal):
        """The adjoint variable of ``primal``: ``dh`` for ``h``, stable per primal."""
        if primal not in self._adjoints:
            # "d" + "one_minus_x" would read as the word "done"
            name = "d_" + primal if primal.startswith("one") else "d" + primal
            if name in self.taken:
                name = self.new(name + "_")
            else:
                self.taken.add(name)
            self._adjoints[primal] = name
        return self._adjoints[primal]

    def tangent(self, primal, suffix):
        """A tangent named ``primal + suffix`` (``x_dot``), stable per primal."""
        key = (primal, suffix)
        if key not in self._adjoints:
            name = primal + suffix
            name = self.new(name + "_") if name in self.taken else name
            self.taken.add(name)
            self._adjoints[key] = name
        return self._adjoints[key]

    def bind_adjoint(self, primal, adjoint):
        """Use the existing name ``adjoint`` (a parameter) as the adjoint of ``primal``."""
        self.taken.add(adjoint)
        self._adjoints[primal] = adjoint

    def adjoints(self):
        return {k: v for k, v in self._adjoints.items() if isinstance(k, str)}
