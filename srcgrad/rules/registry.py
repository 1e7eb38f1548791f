"""The rule registry: which primitive has which derivative template.

A rule is declared with the primitive's qualified name, a signature written
as Python source, and one template expression per differentiable parameter::

    rules.define("numpy.tanh", "tanh(x)", vjp={"x": "g * (1 - ans * ans)"})

Template expressions are ordinary Python.  Their free names are:

- the parameters of the signature (bound to the caller's arguments, or to
  the default written in the signature);
- ``g``, the cotangent of the output, and ``ans``, the output itself;
- ``np`` (the array module the caller used), ``rt`` (``srcgrad.runtime``),
  ``math`` and a few builtins.

Forward templates (``jvp``) are one expression for the output tangent, where
``d<param>`` names the tangent of a parameter; a parameter whose tangent is
zero contributes nothing.

Concerns shared by many rules are declared, not repeated: ``broadcast``
names the parameters whose cotangent must be summed back to their own shape
(the engine inserts ``rt.unbroadcast``), ``nondiff`` marks a primitive whose
output carries no gradient at all.

A :class:`RuleSet` is an ordinary object handed to the transformer; layering
user rules on top of the library's is ``RuleSet(parent=library)``.

Every differentiable rule of the library is verified: its vjp templates as
vector-Jacobian products and its jvp template as a Jacobian-vector product,
against finite differences, in float64 and float32, on example inputs that
``tests/test_rules_registry.py`` (and ``tests/rule_cases_more.py``) keep per
rule name.  That test walks ``library().names()`` and fails for a registered
rule with no examples, for examples naming no rule, and for examples that do
not exercise the signature (broadcast operands of different shapes, ``axis``,
``keepdims``), so a library rule cannot land without its check.  The examples
stay with the tests rather than in ``define(...)`` because user rules layered
on the library (custom derivatives) must not need test data to be declared.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import importlib

TEMPLATE_GLOBALS = frozenset({"np", "rt", "math"}) | frozenset(dir(builtins))
TEMPLATE_SPECIAL = frozenset({"g", "ans"})


class RuleError(ValueError):
    """A rule declaration is malformed."""


@dataclasses.dataclass(frozen=True)
class Param:
    name: str
    default: str | None  # source text of the default, None when required
    kind: str = "positional"  # "positional", "varargs", "keyword"
    is_list: bool = False  # the argument is a list of arrays (np.stack)


@dataclasses.dataclass(frozen=True)
class Rule:
    name: str
    params: tuple[Param, ...]
    vjp: dict
    jvp: str | None = None
    broadcast: frozenset = frozenset()
    nondiff: bool = False
    doc: str = ""
    obj: object = None  # the primitive itself, for rules on user functions
    globals: tuple = ()  # (name, object) pairs a user template reads besides np, rt, math
    inplace: str | None = None  # the parameter the primitive writes into (rt.add_at's acc)

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def vjp_function(self, param: str):
        """Compile the template for ``param`` as ``f(g, ans, *params)``.

        Used by the registry check, which evaluates every template
        numerically against finite differences.
        """
        import numpy as np

        from srcgrad import runtime as rt

        args = ", ".join(["g", "ans"] + [p.name for p in self.params])
        src = f"def _vjp({args}):\n    return {self.vjp[param]}\n"
        ns = {"np": np, "rt": rt, "math": __import__("math")}
        exec(compile(src, f"<rule {self.name}:{param}>", "exec"), ns)
        return ns["_vjp"]


def parse_signature(sig: str) -> tuple[str, tuple[Param, ...]]:
    try:
        tree = ast.parse(f"def {sig}: pass")
    except SyntaxError as exc:
        raise RuleError(f"bad signature {sig!r}: {exc.msg}") from None
    fn = tree.body[0]
    a = fn.args
    params = []
    positional = a.posonlyargs + a.args
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    for arg, default in zip(positional, defaults):
        params.append(_param(arg, default, "positional"))
    if a.vararg is not None:
        params.append(_param(a.vararg, None, "varargs"))
    for arg, default in zip(a.kwonlyargs, a.kw_defaults):
        params.append(_param(arg, default, "keyword"))
    return fn.name, tuple(params)


def _param(arg, default, kind):
    is_list = isinstance(arg.annotation, ast.Name) and arg.annotation.id == "list"
    text = None if default is None else ast.unparse(default)
    return Param(arg.arg, text, kind, is_list)


def _free_names(expr: str) -> set[str]:
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as exc:
        raise RuleError(f"template {expr!r} does not parse: {exc.msg}") from None
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Lambda,)):
            bound |= {a.arg for a in node.args.args}
        if isinstance(node, ast.comprehension):
            bound |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    return {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    } - bound


class RuleSet:
    """A set of derivative rules, looked up by qualified name.

    ``parent`` rules are visible unless this set overrides them.
    """

    def __init__(self, parent: RuleSet | None = None):
        self.parent = parent
        self._rules: dict[str, Rule] = {}
        self._aliases: dict[str, str] = {}
        self._changes = 0

    @property
    def version(self) -> tuple:
        """Changes whenever this set or a parent gains or replaces a rule."""
        own = (id(self), self._changes)
        return own + (self.parent.version if self.parent is not None else ())
    # -- declaring -----------------------------------------------------
    def define(self, name, signature, vjp=None, jvp=None, broadcast=(), doc=""):
        """Declare a differentiable primitive; see the module docstring."""
        _, params = parse_signature(signature)
        names = {p.name for p in params}
        vjp = dict(vjp or {})
        if not vjp:
            raise RuleError(f"{name}: a differentiable rule needs at least one vjp template")
        allowed = names | TEMPLATE_SPECIAL | TEMPLATE_GLOBALS
        for param, template in vjp.items():
            if param not in names:
                raise RuleError(f"{name}: vjp for unknown parameter {param!r}")
            unknown = _free_names(template) - allowed
            if unknown:
                raise RuleError(
                    f"{name}: template for {param!r} uses unknown names {sorted(unknown)}")
        if jvp is not None:
            unknown = _free_names(jvp) - allowed - {"d" + n for n in names}
            if unknown:
                raise RuleError(f"{name}: jvp template uses unknown names {sorted(unknown)}")
        broadcast = frozenset(broadcast)
        if not broadcast <= names:
            raise RuleError(
                f"{name}: broadcast names unknown parameters {sorted(broadcast - names)}")
        rule = Rule(name, params, vjp, jvp, broadcast, False, doc)
        self._add(rule)
        return rule

    def define_forward(self, name, signature, jvp, diff, inplace=None, doc=""):
        """Declare a primitive with a forward (jvp) rule only.

        ``diff`` names the parameters the output depends on differentiably.
        Used for the runtime helpers that generated code calls, so that
        forward mode can differentiate generated reverse-mode code.
        """
        _, params = parse_signature(signature)
        names = {p.name for p in params}
        unknown = _free_names(jvp) - (names | TEMPLATE_SPECIAL | TEMPLATE_GLOBALS) - {
            "d" + n for n in names}
        if unknown:
            raise RuleError(f"{name}: jvp template uses unknown names {sorted(unknown)}")
        if not set(diff) <= names or (inplace is not None and inplace not in names):
            raise RuleError(f"{name}: diff or inplace names an unknown parameter")
        rule = Rule(name, params, {p: None for p in diff}, jvp, frozenset(), False, doc,
                    inplace=inplace)
        self._add(rule)
        return rule

    def nondiff(self, name, signature=None, doc=""):
        """Declare a primitive whose output carries no gradient (argmax, floor, ...)."""
        params = parse_signature(signature)[1] if signature else ()
        rule = Rule(name, params, {}, None, frozenset(), True, doc)
        self._add(rule)
        return rule

    def alias(self, name, target):
        """``name`` is the same primitive as ``target`` (np.amax is np.max)."""
        self._aliases[name] = target
        self._changes += 1

    def _add(self, rule, replace=False):
        if rule.name in self._rules and not replace:
            raise RuleError(f"{rule.name} is already registered in this rule set")
        self._rules[rule.name] = rule
        self._changes += 1

    def put(self, rule: Rule):
        """Add ``rule``, replacing this set's own rule of the same name if any."""
        self._add(rule, replace=True)

    def own(self, name: str) -> Rule | None:
        """This set's own rule for ``name`` (not its parent's)."""
        return self._rules.get(name)

    # -- looking up ----------------------------------------------------
    def get(self, name: str) -> Rule | None:
        if name in self._aliases:
            return self.get(self._aliases[name])
        if name in self._rules:
            return self._rules[name]
        if self.parent is not None:
            return self.parent.get(name)
        return None

    def resolve_alias(self, name: str) -> str:
        """The name ``name`` stands for (itself unless it is an alias)."""
        seen = set()
        rules = self
        while rules is not None:
            if name in rules._aliases and name not in seen:
                seen.add(name)
                name = rules._aliases[name]
                rules = self
                continue
            rules = rules.parent
        return name

    def names(self) -> list[str]:
        own = set(self._rules) | set(self._aliases)
        if self.parent is not None:
            own |= set(self.parent.names())
        return sorted(own)

    def __contains__(self, name):
        return self.get(name) is not None

    def __len__(self):
        return len(self.names())


def resolve_object(qualname: str):
    """Import the object a rule name refers to (``numpy.linalg.inv``)."""
    parts = qualname.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(qualname)
