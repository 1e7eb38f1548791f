"""Small helpers for building and inspecting gast trees."""

import ast
import copy

import gast


def name(id_, ctx="load"):
    ctx = {"load": gast.Load, "store": gast.Store, "del": gast.Del}[ctx]()
    return gast.Name(id=id_, ctx=ctx, annotation=None, type_comment=None)


def const(value):
    return gast.Constant(value=value, kind=None)


def deepcopy(node):
    return copy.deepcopy(node)


def assign(target, value):
    if isinstance(target, str):
        target = name(target, "store")
    return gast.Assign(targets=[target], value=value, type_comment=None)


def set_ctx(node, ctx):
    """Give ``node`` (a Name, Tuple, List, Subscript or Attribute) the context ``ctx``."""
    cls = {"load": gast.Load, "store": gast.Store}[ctx]
    if isinstance(node, (gast.Name, gast.Attribute, gast.Subscript, gast.Starred)):
        node.ctx = cls()
    if isinstance(node, (gast.Tuple, gast.List)):
        node.ctx = cls()
        for elt in node.elts:
            set_ctx(elt, ctx)
    return node


def is_atom(node):
    return isinstance(node, (gast.Name, gast.Constant))


def stored_names(node):
    """Names bound anywhere inside ``node`` (assignment targets, loop variables)."""
    seen = {}
    for n in gast.walk(node):
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
            seen.setdefault(n.id, None)
    return list(seen)


def dotted(node):
    """``np.linalg.norm`` for an Attribute chain over a Name, else None."""
    parts = []
    while isinstance(node, gast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, gast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def to_ast(node):
    return gast.gast_to_ast(node)


def unparse(node):
    """Source text of a gast node (statement, expression or list of statements)."""
    if isinstance(node, list):
        return "\n".join(unparse(n) for n in node)
    tree = to_ast(node)
    ast.fix_missing_locations(tree)
    return ast.unparse(tree)


def parse_expr(src):
    return gast.parse(src, mode="eval").body if False else gast.parse(src).body[0].value


def parse_stmts(src):
    return gast.parse(src).body
