"""Gradient hooks: ``with srcgrad.grad_of(h) as dh:`` blocks in a differentiated function.

Normalization replaces each block by a marker (a ``pass`` that no sweep
runs) carrying ``(h, body, with statement, dh)`` in ``_sg_hook``, and hangs
the marker on the statement that last assigned ``h`` before it, in
``_sg_hooks`` (or, for a parameter, on the function).  The reverse sweep
emits the body right before that statement's adjoint, when the adjoint of
``h`` is complete.  The first block on ``h`` names its adjoint ``dh``.

Requires: a parsed (gast) function.  Guarantees: every hook is attached, or
a located error says why not.
"""

import gast

from .ast_util import dotted, stored_names

OPAQUE = "_sg_opaque"  # normalize.OPAQUE: neither sweep runs the statement
USAGE = "write `with srcgrad.grad_of(h) as dh:` for a variable h"
_FORBIDDEN = (gast.Return, gast.Break, gast.Continue, gast.Yield, gast.YieldFrom,
              gast.FunctionDef, gast.Lambda, gast.With, gast.Global, gast.Nonlocal)


def is_hook(s):
    """``s`` is a ``with ...grad_of(...)`` statement (checked further by :func:`marker`)."""
    if not isinstance(s, gast.With) or not s.items:
        return False
    call = s.items[0].context_expr
    func = dotted(call.func) if isinstance(call, gast.Call) else None
    return func is not None and func.rsplit(".", 1)[-1] == "grad_of"


def marker(s, info, namer, hook_names):
    """The marker standing for hook ``s``; ``hook_names`` maps ``as`` names to variables."""
    item = s.items[0]
    call = item.context_expr
    if len(s.items) != 1 or len(call.args) != 1 or call.keywords or \
            not isinstance(call.args[0], gast.Name):
        raise info.error(call, "grad_of takes exactly one variable name", USAGE)
    if not isinstance(item.optional_vars, gast.Name):
        raise info.error(s, "a grad_of block needs `as <name>` for the adjoint", USAGE)
    var, dvar = call.args[0].id, item.optional_vars.id
    for sub in gast.walk(gast.Module(body=s.body, type_ignores=[])):
        if isinstance(sub, _FORBIDDEN):
            raise info.error(sub, f"a '{type(sub).__name__}' cannot appear in a grad_of block",
                             "the block runs in the middle of the reverse sweep: keep it to "
                             "assignments and calls on the adjoint")
    if hook_names.get(dvar, var) != var:
        raise info.error(item.optional_vars, f"{dvar!r} already names the adjoint of "
                         f"{hook_names[dvar]}", "give each variable's hook its own name")
    if var not in hook_names.values():
        namer.bind_adjoint(var, dvar)  # the adjoint of var is called dvar throughout
    hook_names[dvar] = var
    m = gast.Pass()
    setattr(m, OPAQUE, True)
    m._sg_hook = (var, s.body, s, dvar)
    return m


def attach(hook, before, params, info):
    """Hang ``hook`` on the last statement of ``before`` that assigns its variable.

    Returns True when the variable is one of ``params`` not assigned before
    the hook: then the caller runs it at the end of the reverse sweep.
    """
    var = hook._sg_hook[0]
    for st in reversed(before):
        if isinstance(st, gast.Assign) and var in [
                n.id for t in st.targets for n in gast.walk(t)
                if isinstance(n, gast.Name) and not isinstance(t, gast.Subscript)]:
            st.__dict__.setdefault("_sg_hooks", []).append(hook)
            return False
        if var in stored_names(st):
            break
    if var in params and not any(var in stored_names(st) for st in before):
        return True
    raise info.error(hook._sg_hook[2], f"grad_of({var}) must follow the assignment of "
                     f"{var} in the same block",
                     f"put the with block right after the statement that assigns {var} "
                     "(or, for a parameter, at the top level of the function)")


def check_names(fn, info):
    """Names a grad_of block binds are its own: the rest of the function must not use them."""
    blocks = [w for w in gast.walk(fn) if is_hook(w) and
              isinstance(w.items[0].optional_vars, gast.Name)]
    inside = set()
    bound = {}
    for w in blocks:
        for n in gast.walk(gast.Module(body=w.body, type_ignores=[])):
            inside.add(id(n))
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
                bound.setdefault(n.id, n)
        var = w.items[0].optional_vars
        inside.add(id(var))
        bound.setdefault(var.id, var)
    if not bound:
        return
    for n in gast.walk(fn):
        if isinstance(n, gast.Name) and id(n) not in inside and n.id in bound:
            raise info.error(n, f"{n.id!r} is bound in a grad_of block, so the function "
                             "cannot use it elsewhere",
                             "the block runs in the reverse sweep: give its names their own "
                             "spelling")
