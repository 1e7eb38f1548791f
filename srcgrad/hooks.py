"""Gradient hooks: ``with srcgrad.grad_of(h) as dh:`` (see docs/control.md).

The transformer (``srcgrad.transforms.hooks``) turns the block into code of
the reverse sweep.  Here are the runtime sides: the context manager, which
refuses to run outside generated code, and :func:`without_hooks`, the
function without its blocks, for running it plainly.
"""

import ast
import textwrap

from srcgrad.errors import SrcgradError


class grad_of:  # noqa: N801 - used as a statement keyword: ``with srcgrad.grad_of(h) as dh``
    """``with srcgrad.grad_of(h) as dh:`` marks a gradient hook in a differentiated function.

    The block does not run in the forward sweep; in the reverse sweep its
    body runs on ``dh``, the complete adjoint of ``h``, and may rebind it.
    Entered outside generated code it raises: run such a function plainly
    with :func:`without_hooks` (see docs/control.md).
    """

    def __init__(self, x):
        self.x = x

    def __enter__(self):
        raise SrcgradError(
            "a `with srcgrad.grad_of(...)` block runs only in the reverse sweep of "
            "srcgrad's generated code: call the function through srcgrad.grad, "
            "value_and_grad or vjp, or run srcgrad.without_hooks(f)(...) for its value")

    def __exit__(self, *exc):
        return False


_PLAIN = {}


def _is_hook(node):
    if not isinstance(node, ast.With) or len(node.items) != 1:
        return False
    call = node.items[0].context_expr
    if not isinstance(call, ast.Call):
        return False
    func = call.func
    last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return last == "grad_of"


def without_hooks(f):
    """``f`` itself, or a copy of ``f`` without its ``grad_of`` blocks, to run it plainly."""
    from srcgrad.resolve import function_source

    hit = _PLAIN.get(f)
    if hit is not None and hit[0] is f.__code__:
        return hit[1]
    src, filename, first = function_source(f)
    tree = ast.parse(textwrap.dedent(src))
    fndef = tree.body[0]
    hooks = [n for n in ast.walk(fndef) if _is_hook(n)]
    if not hooks:
        _PLAIN[f] = (f.__code__, f)
        return f
    for node in ast.walk(fndef):
        for field in ("body", "orelse"):
            stmts = getattr(node, field, None)
            if isinstance(stmts, list):
                setattr(node, field, [ast.copy_location(ast.Pass(), s) if _is_hook(s) else s
                                      for s in stmts])
    fndef.decorator_list = []
    free = f.__code__.co_freevars
    outer = ast.FunctionDef(name="_outer", args=ast.arguments(
        posonlyargs=[], args=[ast.arg(arg=v) for v in free], kwonlyargs=[], kw_defaults=[],
        defaults=[]), body=[fndef, ast.Return(value=ast.Name(id=fndef.name, ctx=ast.Load()))],
        decorator_list=[], type_params=[])
    module = ast.Module(body=[outer], type_ignores=[])
    ast.fix_missing_locations(module)
    ast.increment_lineno(module, first - 1)
    ns = {}
    exec(compile(module, filename, "exec"), f.__globals__, ns)
    cells = [c.cell_contents for c in f.__closure__ or ()]
    plain = ns["_outer"](*cells)
    plain.__defaults__ = f.__defaults__
    _PLAIN[f] = (f.__code__, plain)
    return plain
