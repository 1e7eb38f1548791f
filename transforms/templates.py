"""Code templates: Python source with placeholder names, filled with nodes.

>>> from srcgrad.transforms.ast_util import unparse, name
>>> unparse(replace("target = fn(arg) + 1", target="y", fn="np.tanh", arg=name("x")))
'y = np.tanh(x) + 1'

Every replacement is copied, so one node can be used many times, and
Load/Store contexts are fixed to match where the placeholder stood.  A
placeholder that is not used, or a replacement for a name that is not in
the template, is an error: templates fail loudly rather than silently.
"""

import gast

from .ast_util import deepcopy, parse_expr, parse_stmts, set_ctx


class TemplateError(ValueError):
    pass


def _node(value):
    if isinstance(value, str):
        return parse_expr(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return gast.Constant(value=value, kind=None)
    return deepcopy(value)


class _Replacer(gast.NodeTransformer):
    def __init__(self, replacements, strict):
        self.replacements = replacements
        self.used = set()
        self.strict = strict

    def visit_Name(self, node):
        if node.id not in self.replacements:
            return node
        self.used.add(node.id)
        new = _node(self.replacements[node.id])
        ctx = "store" if isinstance(node.ctx, gast.Store) else "load"
        return set_ctx(new, ctx)


def replace(template, strict=True, **replacements):
    """Instantiate a statement template; returns a list of statements."""
    stmts = parse_stmts(template)
    r = _Replacer(replacements, strict)
    stmts = [r.visit(s) for s in stmts]
    _check(r, replacements, template, strict)
    return stmts


def replace_expr(template, strict=True, **replacements):
    """Instantiate an expression template; returns one expression node."""
    if not isinstance(template, str):
        expr = deepcopy(template)
    else:
        expr = parse_expr(template)
    r = _Replacer(replacements, strict)
    expr = r.visit(expr)
    _check(r, replacements, template, strict)
    return expr


def _check(r, replacements, template, strict):
    if strict:
        unused = set(replacements) - r.used
        if unused:
            raise TemplateError(f"placeholders {sorted(unused)} not found in {template!r}")
