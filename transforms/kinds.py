"""Static kinds of values: Python scalars, lists, integer indices.

Requires: a normalized function.  Known scalars need no unbroadcasting and
get ``0.0`` as their zero cotangent; lists get element-wise cotangents;
integer indices allow plain ``dx[i] += g`` instead of ``np.add.at``.
"""

import gast

from . import calls as C
from .ast_util import stored_names


class ValueKinds:
    """Mixin of :class:`~transforms.reverse.ReverseGen`: what each name holds."""

    def _scan_kinds(self):
        for s in gast.walk(self.fn):
            if isinstance(s, gast.For):
                self.int_names.add(s.target.id)
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name):
                v = s.value
                t = s.targets[0].id
                if isinstance(v, (gast.List, gast.Tuple)):
                    self.list_names.add(t)
                if isinstance(v, gast.Call) and isinstance(v.func, gast.Name) and \
                        v.func.id in ("len", "int") and v.func.id not in self.ctx.locals:
                    self.int_names.add(t)
            if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and isinstance(
                    s.value.func, gast.Attribute) and s.value.func.attr == "append":
                if isinstance(s.value.func.value, gast.Name):
                    self.list_names.add(s.value.func.value.id)
        grew = True
        while grew:
            grew = False
            for s in gast.walk(self.fn):
                if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and \
                        s.targets[0].id not in self.list_names and (
                            self._is_list_op(s.value) or isinstance(s.value, gast.Name)
                            and s.value.id in self.list_names):
                    self.list_names.add(s.targets[0].id)
                    grew = True
        # values that are lists or tuples: those built as such, and parameters
        # the caller passes lists or tuples for
        self.list_names |= self.list_params
        self.maybe_lists = set(self.list_names)
        for a in self.fn.args.args:
            if isinstance(a.annotation, gast.Name) and a.annotation.id == "float":
                self.scalar_names.add(a.id)
        # Python scalars: the greatest set consistent with every assignment, so
        # that a loop-carried ``x = x + h * math.sin(x)`` counts as scalar.
        params = {a.id for a in self.fn.args.args}
        assigns = [s for s in gast.walk(self.fn) if isinstance(s, gast.Assign)]
        scalar = set(self.scalar_names)
        scalar |= {s.targets[0].id for s in assigns if isinstance(s.targets[0], gast.Name)
                   and s.targets[0].id not in params}
        scalar |= {s.target.id for s in gast.walk(self.fn) if isinstance(s, gast.For)}
        for s in gast.walk(self.fn):
            if isinstance(s, gast.Assign) and not isinstance(s.targets[0], gast.Name):
                scalar -= set(stored_names(s.targets[0]))
                for t in s.targets:
                    if isinstance(t, gast.Subscript):
                        scalar.discard(t.value.id)
        scalar -= self.list_names
        changed = True
        while changed:
            changed = False
            self.scalar_names = scalar
            for s in assigns:
                t = s.targets[0]
                if isinstance(t, gast.Name) and t.id in scalar and not self._is_scalar_expr(
                        s.value):
                    scalar.discard(t.id)
                    changed = True

    def _is_list_op(self, v):
        return isinstance(v, gast.BinOp) and isinstance(v.op, (gast.Add, gast.Mult)) and any(
            isinstance(o, gast.Name) and o.id in self.list_names for o in (v.left, v.right))

    def _is_scalar_expr(self, v):
        if isinstance(v, gast.Constant):
            return isinstance(v.value, (int, float)) and not isinstance(v.value, bool)
        if isinstance(v, gast.Name):
            return v.id in self.scalar_names
        if isinstance(v, gast.BinOp):
            return self._is_scalar_expr(v.left) and self._is_scalar_expr(v.right)
        if isinstance(v, gast.UnaryOp):
            return self._is_scalar_expr(v.operand)
        if isinstance(v, gast.Compare):
            # ``x > 0.1`` is an array of bools where ``x`` is an array
            return all(isinstance(op, (gast.Is, gast.IsNot, gast.In, gast.NotIn))
                       for op in v.ops) or all(
                self._is_scalar_expr(o) for o in [v.left] + v.comparators)
        if isinstance(v, gast.Call):
            d = C.dotted(v.func)
            if d and d.startswith("math.") and d.split(".")[0] not in self.ctx.locals:
                return True
            if d in ("float", "int", "len", "round") and d not in self.ctx.locals:
                return True
            if d in ("abs", "min", "max") and d not in self.ctx.locals:
                return all(self._is_scalar_expr(a) for a in v.args)
        return False

    def _is_scalar_atom(self, node):
        return isinstance(node, gast.Constant) or (
            isinstance(node, gast.Name) and node.id in self.scalar_names)

    # -- names -------------------------------------------------------------
