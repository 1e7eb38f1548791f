"""Regions along an array's first axis, and whether two can overlap.

A region is where an int or a slice with int bounds (``x[1:-1]``, ``x[-1]``)
reaches along the first axis, before numpy clips it to the array's length.
The reverse sweep uses them to tell when a write into a cotangent lands on
zeros only (then it assigns rather than adds).
"""

import gast


def region(idx):
    """``idx`` (an int or a slice with int bounds) as ``(start, stop)`` along the first
    axis; a bound is ``("s", k)``: ``k``, or ``("e", k)``: ``len - k``.  None otherwise."""
    def bound(node, absent):
        if node is None:
            return absent
        v = int_const(node)
        if v is None:
            return None
        return ("s", v) if v >= 0 else ("e", -v)

    if isinstance(idx, gast.Slice):
        if idx.step is not None:
            return None
        lo, hi = bound(idx.lower, ("s", 0)), bound(idx.upper, ("e", 0))
        return (lo, hi) if lo is not None and hi is not None else None
    v = int_const(idx)
    if v is None:
        return None
    return (("s", v), ("s", v + 1)) if v >= 0 else (("e", -v), ("e", -v - 1))


def int_const(node):
    """The value of an int literal, negative ones included (``-1``), or None."""
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and isinstance(
            node.operand, gast.Constant) and type(node.operand.value) is int:
        return -node.operand.value
    return None


def _at_most(p, q, size):
    """Is position ``p`` at most ``q`` for every length the first axis may have?"""
    if isinstance(size, int):
        def val(b):
            return b[1] if b[0] == "s" else size - b[1]
        return val(p) <= val(q)
    if p[0] == q[0]:
        return p[1] <= q[1] if p[0] == "s" else p[1] >= q[1]
    if p[0] == "s":  # k1 <= len - k2 for every len >= the least
        return p[1] + q[1] <= size[1]
    return False


def disjoint(a, b, size):
    """Do the regions ``a`` and ``b`` (before numpy clips them) never overlap?"""
    return _at_most(a[1], b[0], size) or _at_most(b[1], a[0], size)
