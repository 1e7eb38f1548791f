"""Control over the gradient: custom derivative rules, ``custom_gradient``, ``stop_gradient``.

User rules live in a :class:`~srcgrad.rules.RuleSet` layered over the
library's rules, never in the library itself.  The decorators register into
the process-wide user layer, :func:`user_rules`, unless they are given
``rules=``; ``grad``, ``value_and_grad``, ``vjp`` and ``source`` read the
user layer unless they are given ``rules=``::

    @srcgrad.adjoint(softplus)
    def softplus_adjoint(g, x):
        return g / (1 + np.exp(-x))

A template is a function whose parameters are ``g`` (the output's
cotangent), optionally ``ans`` (the output) and the primitive's parameters,
by the same names, in any order; its body is one ``return`` of an
expression (a tuple of one expression per parameter when the primitive has
several; ``None`` for a parameter without a gradient).  The expression is
copied into the generated code with the caller's names in place of the
parameters.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
import types

from srcgrad.errors import SrcgradError
from srcgrad.rules import library
from srcgrad.rules.registry import TEMPLATE_GLOBALS, Param, Rule, RuleSet, _free_names

_USER = None


def user_rules() -> RuleSet:
    """The process-wide layer of user rules, over the library's rules."""
    global _USER
    if _USER is None:
        _USER = RuleSet(parent=library())
    return _USER


def stop_gradient(x):
    """Return ``x``.  In differentiated code the value passes and no gradient flows."""
    return x


# -- templates ----------------------------------------------------------------
def _primitive_params(fn):
    what = getattr(fn, "__qualname__", None) or repr(fn)
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        raise SrcgradError(
            f"cannot read the parameters of {what}: register rules for Python functions "
            "(wrap a builtin or ufunc in a def)") from None
    params = []
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.KEYWORD_ONLY):
            raise SrcgradError(f"{what} takes *args, **kwargs or keyword-only parameters; "
                               "a rule needs a primitive with plain parameters (wrap it in a "
                               "def)")
        default = None
        if p.default is not p.empty:
            default = repr(p.default)
            try:
                ok = ast.literal_eval(default) == p.default
            except (ValueError, SyntaxError):
                ok = False
            if not ok:
                raise SrcgradError(f"the default of {p.name!r} in {what} is not a literal "
                                   "constant; a rule's defaults are written into generated code")
        params.append(Param(p.name, default))
    return tuple(params)


def _template_body(template, kind):
    """The returned expression of a template function, as an ``ast`` node."""
    where = _where(template)
    try:
        src = textwrap.dedent(inspect.getsource(template))
        tree = ast.parse(src)
    except (OSError, TypeError, SyntaxError) as exc:
        raise SrcgradError(f"{kind} {where}: cannot read its source ({exc}); define it with "
                           "def in a file") from None
    fndef = next((n for n in tree.body if isinstance(n, (ast.FunctionDef,
                                                         ast.AsyncFunctionDef))), None)
    if fndef is None:
        raise SrcgradError(f"{kind} {where}: define it with def, not lambda")
    body = list(fndef.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and \
            isinstance(body[0].value.value, str):
        body = body[1:]  # the docstring
    if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
        raise SrcgradError(
            f"{kind} {where}: its body must be a single `return <expression>` (after an "
            "optional docstring), because it is copied into the generated code as an expression")
    return body[0].value


def _where(fn):
    code = getattr(fn, "__code__", None)
    loc = f" ({code.co_filename}:{code.co_firstlineno})" if code is not None else ""
    return f"{getattr(fn, '__qualname__', fn)!s}{loc}"


def _check_names(template, kind, expr, allowed, params):
    unknown = set()
    free = set()
    for e in expr if isinstance(expr, list) else [expr]:
        if e is not None:
            free |= _free_names(ast.unparse(e))
    glob = []
    for n in sorted(free - allowed):
        if n in template.__globals__ and n not in params:
            glob.append((n, template.__globals__[n]))
        else:
            unknown.add(n)
    if unknown:
        raise SrcgradError(f"{kind} {_where(template)} uses {', '.join(sorted(unknown))}, "
                           "which is neither one of its parameters nor a module-level name")
    return tuple(glob)


def _template_params(template, kind, prim_params, extra):
    """Check the template's parameters against the primitive's; returns their names."""
    if not isinstance(template, types.FunctionType):
        raise SrcgradError(f"{kind} must be a Python function, not {template!r}")
    sig = inspect.signature(template)
    names = []
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.KEYWORD_ONLY):
            raise SrcgradError(f"{kind} {_where(template)}: plain parameters only "
                               "(no *args, **kwargs or keyword-only)")
        names.append(p.name)
    prim = [p.name for p in prim_params]
    special = [n for n in names if n in extra]
    own = [n for n in names if n not in extra]
    missing = [n for n in prim if n not in own]
    unknown = [n for n in own if n not in prim]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"has parameters {', '.join(unknown)} that the primitive does not")
        if missing:
            parts.append(f"lacks the primitive's parameters {', '.join(missing)}")
        raise SrcgradError(
            f"{kind} {_where(template)} {' and '.join(parts)}: its parameters must be "
            f"{', '.join(sorted(extra))} (as needed) and the primitive's: {', '.join(prim)}")
    return special


def _rule_name(fn, rules):
    from srcgrad.resolve import _Identity

    known = _Identity.table(rules).get(id(fn))
    if known is not None:
        return known
    mod = getattr(fn, "__module__", None) or "?"
    return f"{mod}.{getattr(fn, '__qualname__', None) or getattr(fn, '__name__', repr(fn))}"


def _existing(rules, name, fn, params):
    rule = rules.own(name)
    if rule is not None:
        return rule
    return Rule(name, params, {}, None, frozenset(p.name for p in params), False,
                doc="", obj=fn)


def adjoint(fn, rules=None):
    """Decorator: register the decorated function as the vjp template of primitive ``fn``.

    See the module docstring for the template's form.  Returns the template
    unchanged.
    """
    target = rules if rules is not None else user_rules()
    params = _primitive_params(fn)

    def register(template):
        kind = f"the adjoint of {getattr(fn, '__qualname__', fn)}"
        special = _template_params(template, kind, params, {"g", "ans"})
        if "g" not in special:
            raise SrcgradError(f"{kind} {_where(template)} lacks the parameter g, the "
                               "cotangent of the output")
        expr = _template_body(template, kind)
        n = len(params)
        if n > 1:
            if not isinstance(expr, ast.Tuple) or len(expr.elts) != n:
                raise SrcgradError(
                    f"{kind} {_where(template)} must return a tuple of {n} expressions, one "
                    f"per parameter ({', '.join(p.name for p in params)}); None for a "
                    "parameter without a gradient")
            parts = list(expr.elts)
        else:
            parts = [expr]
        parts = [None if isinstance(e, ast.Constant) and e.value is None else e for e in parts]
        if all(e is None for e in parts):
            raise SrcgradError(f"{kind} {_where(template)} gives no gradient for any "
                               "parameter: register the primitive as non-differentiable, or "
                               "wrap its result in srcgrad.stop_gradient")
        allowed = {p.name for p in params} | {"g", "ans"} | TEMPLATE_GLOBALS
        glob = _check_names(template, kind, parts, allowed, {p.name for p in params})
        name = _rule_name(fn, target)
        old = _existing(target, name, fn, params)
        vjp = {p.name: ast.unparse(e) for p, e in zip(params, parts) if e is not None}
        target.put(Rule(name, params, vjp, old.jvp, old.broadcast, False, old.doc, fn,
                        _merge(old.globals, glob)))
        return template

    return register


def tangent(fn, rules=None):
    """Decorator: register the decorated function as the jvp template of primitive ``fn``.

    Its parameters are the primitive's, ``d<param>`` for the tangents it
    uses and optionally ``ans``; its body returns the output's tangent.
    """
    target = rules if rules is not None else user_rules()
    params = _primitive_params(fn)

    def register(template):
        kind = f"the tangent of {getattr(fn, '__qualname__', fn)}"
        extra = {"ans"} | {"d" + p.name for p in params}
        special = _template_params(template, kind, params, extra)
        if not any(s != "ans" for s in special):
            raise SrcgradError(
                f"{kind} {_where(template)} has no tangent parameter: name the tangent of "
                f"a parameter d<name> ({', '.join('d' + p.name for p in params)})")
        expr = _template_body(template, kind)
        allowed = {p.name for p in params} | extra | TEMPLATE_GLOBALS
        glob = _check_names(template, kind, expr, allowed, {p.name for p in params} | extra)
        name = _rule_name(fn, target)
        old = _existing(target, name, fn, params)
        target.put(Rule(name, params, old.vjp, ast.unparse(expr), old.broadcast, False,
                        old.doc, fn, _merge(old.globals, glob)))
        return template

    return register


def _merge(a, b):
    out = dict(a)
    out.update(b)
    return tuple(sorted(out.items(), key=lambda kv: kv[0]))


# -- custom_gradient -----------------------------------------------------------------
class CustomGradient:
    """A function whose gradient is given by the user (see :func:`custom_gradient`).

    Called, it returns the value only.  ``forward(*args)`` returns
    ``(value, grad_fn)``: generated code calls it, keeps ``grad_fn`` and
    calls it in the reverse sweep with the output's cotangent.
    """

    def __init__(self, fn):
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.params = tuple(inspect.signature(fn).parameters)

    def forward(self, *args):
        res = self.fn(*args)
        if not (isinstance(res, tuple) and len(res) == 2 and callable(res[1])):
            raise SrcgradError(
                f"{self.fn.__qualname__} is decorated with srcgrad.custom_gradient, so it "
                "must return (value, grad_fn); it returned "
                f"{type(res).__name__}")
        y, grad_fn = res
        return y, _CheckedGradFn(self, grad_fn, args)

    def __call__(self, *args):
        return self.forward(*args)[0]

    def __repr__(self):
        return f"<custom_gradient {self.fn.__qualname__}>"


class _CheckedGradFn:
    """A user's ``grad_fn``: checks it returns one gradient per parameter; ``None`` is zero."""

    def __init__(self, owner, grad_fn, args):
        self.owner, self.grad_fn, self.args = owner, grad_fn, args

    def __call__(self, dy):
        from srcgrad import runtime

        out = self.grad_fn(dy)
        params = self.owner.params
        if len(params) == 1:
            if isinstance(out, (tuple, list)) and len(out) == 1:
                out = out[0]
            return runtime.zeros_like(self.args[0]) if out is None else out
        if not isinstance(out, (tuple, list)) or len(out) != len(params):
            got = f"{len(out)} values" if isinstance(out, (tuple, list)) else \
                f"a {type(out).__name__}"
            raise SrcgradError(
                f"the grad_fn of {self.owner.fn.__qualname__} returned {got}; it must return "
                f"{len(params)}, one gradient per parameter ({', '.join(params)}), None for "
                "a parameter without one")
        args = self.args + (None,) * (len(params) - len(self.args))  # defaults: scalars
        return tuple(runtime.zeros_like(a) if g is None else g for g, a in zip(out, args))


def custom_gradient(fn):
    """Decorator for ``fn(*args) -> (y, grad_fn)``: ``grad_fn(dy)`` gives the gradients.

    ``grad_fn`` returns one gradient per argument of ``fn`` (a tuple when
    there are several; ``None`` for an argument without one).  Calling the
    decorated function returns ``y`` alone.
    """
    if not isinstance(fn, types.FunctionType):
        raise SrcgradError(f"custom_gradient decorates a Python function, not {fn!r}")
    sig = inspect.signature(fn)
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.KEYWORD_ONLY):
            raise SrcgradError(f"custom_gradient: {fn.__qualname__} takes *args, **kwargs or "
                               "keyword-only parameters; give it plain parameters")
    return CustomGradient(fn)
