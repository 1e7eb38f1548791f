"""Placeholders and small helpers shared by the forward and reverse sweeps.

The reverse sweep is generated before the forward sweep knows what it must
save, so it leaves placeholders (:class:`Restore`, :class:`LoopLocals`) that
are filled in once the forward sweep has decided.  Comments travel through
``ast.unparse`` as string statements marked with :data:`COMMENT`.
"""

import gast

from .ast_util import const, deepcopy, name

COMMENT = "__SRCGRAD_COMMENT__:"


class LoopLocals(gast.Expr):
    """Placeholder at the start of a reverse loop body: take back the iteration's locals."""

    def __init__(self, loop, attr="_sg_locals"):
        super().__init__(value=gast.Constant(value=None, kind=None))
        self.loop = loop  # the statement owning the block: a loop, or an if
        self.attr = attr  # where that statement keeps the block's local names


class Restore(gast.Expr):
    """Placeholder in the reverse sweep: restore ``var`` here if it was saved."""

    def __init__(self, stmt, var):
        super().__init__(value=gast.Constant(value=None, kind=None))
        self.stmt = stmt
        self.var = var


def comment(text):
    return gast.Expr(value=gast.Constant(value=COMMENT + text, kind=None))


def is_comment(s):
    return isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant) and isinstance(
        s.value.value, str) and s.value.value.startswith(COMMENT)


def tidy_if(s):
    """Drop an ``if`` with two empty branches; turn ``if c: pass else: B`` into ``if not c: B``."""
    if not s.body and not s.orelse:
        return None
    if not s.body:
        test = s.test
        if isinstance(test, gast.UnaryOp) and isinstance(test.op, gast.Not):
            test = test.operand
        else:
            test = gast.UnaryOp(op=gast.Not(), operand=test)
        return gast.If(test=test, body=s.orelse, orelse=[])
    return s


def index_value(idx):
    """An index usable as a runtime value: slices become ``slice(...)`` calls."""
    if isinstance(idx, gast.Slice):
        parts = [deepcopy(p) if p is not None else const(None)
                 for p in (idx.lower, idx.upper, idx.step)]
        if idx.step is None:
            parts.pop()
            if idx.lower is None:
                parts.pop(0)  # slice(None, stop) is slice(stop)
        return gast.Call(func=name("slice"), args=parts, keywords=[])
    if isinstance(idx, gast.Tuple):
        return gast.Tuple(elts=[index_value(e) for e in idx.elts], ctx=gast.Load())
    return deepcopy(idx)


def group_pops(stmts):
    """Merge runs of ``a = tape.pop()`` ... (kept separate: order matters)."""
    return stmts
