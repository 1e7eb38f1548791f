"""Property-based tests: random numpy programs, differentiated by srcgrad.

Hypothesis generates whole Python functions as source text -- straight-line
numerical code, and code with loops, branches, subscripts and lists -- writes
each to a temporary ``.py`` file, imports it, and compares ``srcgrad.grad``
with central finite differences.

The generator keeps every value bounded: it tracks a conservative bound on
the magnitude of every expression and wraps anything that could grow large in
``np.tanh``; loop-carried updates are squashed (``tanh``/``sin``/``cos``) or
small increments.  Inputs are drawn from [-1.2, 1.2], denominators are
``2 + sin(.)`` or ``1 + e*e``, ``exp`` only sees bounded arguments and
``log``/``sqrt`` only ``1 + e*e``.  Data-dependent conditions compare with
odd thresholds (0.137, ...), so a finite-difference step (1e-6) essentially
never crosses a branch; when it does, finite differences at two step sizes
disagree and the example is discarded rather than failed.

When a test fails, the program, its inputs and ``wrt`` are in the message.

By default the examples are derandomized: every run draws the same programs
(a fixed budget per test, chosen by a hash of the test), so that the suite
is deterministic and a latent engine bug cannot make CI fail at random.  To
search for new bugs, draw fresh programs: ``SRCGRAD_RANDOM_SEARCH=1 pytest
tests/test_random_programs.py``, or replay a search with
``--hypothesis-seed=N`` (either one turns derandomization off).
"""

import hashlib
import importlib.util
import inspect
import math
import os
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import core as hypothesis_core
from hypothesis import strategies as st

import srcgrad

BOUND_MAX = 6.0  # wrap anything whose magnitude bound exceeds this in np.tanh
ROW = {(3,): (), (2, 3): (3,)}  # shape of one element when iterating / indexing
SIZE = {(): 1, (3,): 3, (2, 3): 6}
CONSTS = ("0.5", "1.3", "-0.7", "2.0", "0.25", "-1.1", "0.8")
THRESHOLDS = ("0.137", "-0.213", "0.31", "-0.058", "0.449")
SQUASH = ("np.tanh", "np.sin", "np.cos")
INPUT_NAMES = {(): "a", (3,): "x", (2, 3): "W"}

# a fresh random search when asked for (an environment variable, or a seed given
# to pytest with --hypothesis-seed, which hypothesis would otherwise ignore)
SEARCH = bool(os.environ.get("SRCGRAD_RANDOM_SEARCH")) or \
    getattr(hypothesis_core, "global_force_seed", None) is not None
FIXED = {} if SEARCH else {"derandomize": True, "database": None}
SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    **FIXED,
)


def subshapes(shape):
    """Shapes that broadcast against ``shape`` without changing it."""
    return {(): [()], (3,): [(), (3,)], (2, 3): [(), (3,), (2, 3)]}[shape]


class Scope:
    """What a generated statement may use.

    floats: name -> [shape, bound];  ints: name -> exclusive upper bound of
    its values;  fresh: arrays created by this function (safe to mutate in
    place);  readonly: loop element variables and names being iterated.
    """

    def __init__(self, floats=None, ints=None, fresh=(), readonly=()):
        self.floats = {k: list(v) for k, v in (floats or {}).items()}
        self.ints = dict(ints or {})
        self.fresh = set(fresh)
        self.readonly = set(readonly)

    def child(self):
        return Scope(self.floats, self.ints, self.fresh, self.readonly)

    def shapes(self, elementwise=False):
        have = {s for s, _ in self.floats.values()}
        out = [()]
        if (3,) in have or (not elementwise and (2, 3) in have):
            out.append((3,))
        if (2, 3) in have:
            out.append((2, 3))
        return out


class Builder:
    """Draws one random program; ``draw`` is hypothesis' ``data.draw``."""

    def __init__(self, draw, loops):
        self.draw = draw
        self.loops = loops
        self.counter = 0
        self.helpers = []  # (name, output bound)

    # -- random choices -----------------------------------------------------
    def choice(self, seq):
        return self.draw(st.sampled_from(list(seq)))

    def integer(self, lo, hi):
        return self.draw(st.integers(lo, hi))

    def chance(self, percent):
        return self.draw(st.integers(0, 99)) < percent

    def fresh_name(self, prefix):
        self.counter += 1
        return "%s%d" % (prefix, self.counter)

    # -- expressions --------------------------------------------------------
    def index(self, scope, n):
        """An int index expression valid for an axis of length ``n``."""
        options = [str(k) for k in range(n)] + ["-1"]
        for name, hi in scope.ints.items():
            options.append(name if hi <= n else "%s %% %d" % (name, n))
        return self.choice(options)

    def leaf(self, scope, shape, elementwise):
        opts = [("var", name) for name, (s, _) in scope.floats.items() if s == shape]
        if shape == ():
            if not opts or self.chance(15):
                opts = [("const", c) for c in CONSTS]
            elif not elementwise:
                for name, (s, _) in scope.floats.items():
                    if s != ():
                        opts += [("item", name), ("np.sum", name), ("np.mean", name)]
        elif shape == (3,) and not elementwise:
            opts += [("item", name) for name, (s, _) in scope.floats.items() if s == (2, 3)]
        assert opts, "no leaf of shape %s" % (shape,)
        kind, name = self.choice(opts)
        if kind == "const":
            return ("(%s)" % name if name.startswith("-") else name), abs(float(name))
        s, b = scope.floats[name]
        if kind == "var":
            return name, b
        if kind == "np.sum":
            return "np.sum(%s)" % name, b * SIZE[s]
        if kind == "np.mean":
            return "np.mean(%s)" % name, b
        src = "%s[%s]" % (name, self.index(scope, s[0]))
        if s == (2, 3) and shape == ():
            src += "[%s]" % self.index(scope, 3)
        return src, b

    def expr(self, scope, shape, depth, elementwise=False):
        """(source, bound) of a random expression of exactly ``shape``."""
        src, b, _ = self._expr(scope, shape, depth, elementwise)
        return src, b

    def compound(self, scope, shape, depth, elementwise=False):
        """Like ``expr`` but never a bare name/subscript (always a new value)."""
        src, b, is_leaf = self._expr(scope, shape, max(depth, 1), elementwise)
        if is_leaf:
            fn = self.choice(SQUASH + ("-",))
            if fn == "-":
                return "(-%s)" % src, b
            return "%s(%s)" % (fn, src), 1.0
        return src, b

    def _expr(self, scope, shape, depth, elementwise):
        shapes = [s for s in subshapes(shape) if s in scope.shapes(elementwise)]
        if depth <= 0 or self.chance(25):
            src, b = self.leaf(scope, shape, elementwise)
            return src, b, True
        kinds = ["unary", "binary", "binary", "div", "square"]
        if self.helpers and not elementwise:
            kinds.append("call")
        kind = self.choice(kinds)
        if kind == "unary":
            fn = self.choice(["-", "np.sin", "np.cos", "np.tanh", "np.exp", "log", "sqrt"])
            e, b = self.expr(scope, shape, depth - 1, elementwise)
            if fn == "-":
                src, b = "(-%s)" % e, b
            elif fn == "np.exp":
                if b > 2.0:
                    e, b = "np.tanh(%s)" % e, 1.0
                src, b = "np.exp(%s)" % e, math.exp(b)
            elif fn == "log":
                src, b = "np.log(1.0 + %s * %s)" % (e, e), math.log1p(b * b)
            elif fn == "sqrt":
                src, b = "np.sqrt(1.0 + %s * %s)" % (e, e), math.sqrt(1 + b * b)
            else:
                src, b = "%s(%s)" % (fn, e), 1.0
        elif kind == "square":
            e, b = self.expr(scope, shape, depth - 1, elementwise)
            src, b = "(%s ** 2)" % e, b * b
        elif kind == "binary":
            op = self.choice("+-*")
            l, bl = self.expr(scope, shape, depth - 1, elementwise)
            r, br = self.expr(scope, self.choice(shapes), depth - 1, elementwise)
            if self.chance(50):
                l, r = r, l
            src = "(%s %s %s)" % (l, op, r)
            b = bl * br if op == "*" else bl + br
        elif kind == "div":
            n, b = self.expr(scope, shape, depth - 1, elementwise)
            d, _ = self.expr(scope, self.choice(shapes), depth - 1, elementwise)
            if self.chance(50):
                src = "(%s / (2.0 + np.sin(%s)))" % (n, d)
            else:
                src = "(%s / (1.0 + %s * %s))" % (n, d, d)
        else:  # call a helper
            name, out_bound = self.choice(self.helpers)
            args = []
            other = self.choice(shapes)
            for s in self.choice([(shape, other), (other, shape)]):
                e, b = self.expr(scope, s, depth - 1)
                args.append(e if b <= 1.5 else "np.tanh(%s)" % e)
            src, b = "%s(%s, %s)" % (name, args[0], args[1]), out_bound
        if b > BOUND_MAX:
            src, b = "np.tanh(%s)" % src, 1.0
        return src, b, False

    def scalar_condition(self, scope):
        e, _ = self.expr(scope, (), 2)
        return "%s %s %s" % (e, self.choice("<>"), self.choice(THRESHOLDS))

    def int_condition(self, scope):
        name = self.choice(sorted(scope.ints))
        hi = scope.ints[name]
        return self.choice([
            "%s %% 2 == 0" % name,
            "%s %% 3 == 1" % name,
            "%s < %d" % (name, self.integer(0, hi)),
            "%s == %d" % (name, self.integer(0, max(hi - 1, 0))),
        ])

    def condition(self, scope):
        if scope.ints and self.chance(60):
            return self.int_condition(scope)
        return self.scalar_condition(scope)

    # -- helpers ------------------------------------------------------------
    def helper(self):
        """A module-level helper of two broadcastable arguments."""
        name = "h%d" % len(self.helpers)
        scope = Scope({"p": [(), 1.5], "q": [(), 1.5]})
        lines = ["def %s(p, q):" % name]
        if self.chance(60):
            u, bu = self.compound(scope, (), 2, elementwise=True)
            lines.append("    u = %s" % u)
            scope.floats["u"] = [(), bu]
        e, be = self.expr(scope, (), 2, elementwise=True)
        # the result must have the broadcast shape of both arguments
        form = self.choice(["(%s) * p + q", "(%s) * np.sin(q) + p", "np.tanh(%s + p) * q"])
        b = {0: be * 1.5 + 1.5, 1: be * 1.0 + 1.5, 2: 1.5}[
            ["(%s) * p + q", "(%s) * np.sin(q) + p", "np.tanh(%s + p) * q"].index(form)]
        lines.append("    return " + form % e)
        self.helpers.append((name, b))
        return "\n".join(lines)

    # -- statements ---------------------------------------------------------
    def block(self, scope, ctx, n_stmts):
        lines = []
        for _ in range(n_stmts):
            lines += self.statement(scope, ctx)
        return lines or ["pass"]

    def statement(self, scope, ctx):
        kinds = ["assign", "assign", "reassign", "aug", "write"]
        if ctx["in_loop"]:
            kinds += ["reassign", "aug", "write", "if", "jump"]
        if self.loops and ctx["nest"] < 2:
            kinds += ["for", "for", "while", "if", "buffer"]
        kind = self.choice(kinds)
        return getattr(self, "stmt_" + kind)(scope, ctx)

    def targets(self, scope, ctx, arrays_only=False):
        """Names that may be assigned to (and how)."""
        out = []
        for name, (s, _) in scope.floats.items():
            if name in scope.readonly:
                continue
            if arrays_only and (s == () or name not in scope.fresh):
                continue
            out.append(name)
        return sorted(out)

    def squashed(self, scope, shape, ctx):
        """A bounded (|.| <= 1) expression: safe to carry around a loop."""
        e, _ = self.expr(scope, shape, 2)
        return "%s(%s)" % (self.choice(SQUASH), e), 1.0

    def stmt_assign(self, scope, ctx):
        shape = self.choice(scope.shapes())
        name = self.fresh_name("t")
        e, b = self.compound(scope, shape, 3)
        scope.floats[name] = [shape, b]
        scope.fresh.add(name)
        ctx["assigned"].append(name)
        return ["%s = %s" % (name, e)]

    def stmt_reassign(self, scope, ctx, names=None):
        names = names or self.targets(scope, ctx)
        if not names:
            return self.stmt_assign(scope, ctx)
        name = self.choice(names)
        shape, old = scope.floats[name]
        if name in ctx["outer"]:
            # loop-carried or branch-merged: keep the shape, keep it bounded
            if self.chance(50):
                e, b = self.squashed(scope, shape, ctx)
            else:
                s, _ = self.squashed(scope, shape, ctx)
                e, b = "0.5 * %s + 0.5 * %s" % (name, s), max(old, 1.0)
            b = max(b, old)
        else:
            e, b = self.compound(scope, shape, 3)
        scope.floats[name][1] = b
        scope.fresh.add(name)
        ctx["assigned"].append(name)
        return ["%s = %s" % (name, e)]

    def stmt_aug(self, scope, ctx, names=None):
        names = [n for n in (names or self.targets(scope, ctx))
                 if scope.floats[n][0] == () or n in scope.fresh]
        if not names:
            return self.stmt_assign(scope, ctx)
        name = self.choice(names)
        shape, old = scope.floats[name]
        op = self.choice(["+=", "-=", "*=", "/="])
        other = self.choice([s for s in subshapes(shape) if s in scope.shapes()])
        if op == "*=":
            e, _ = self.squashed(scope, other, ctx)
            b = old
        elif op == "/=":
            d, _ = self.expr(scope, other, 2)
            e, b = "(2.0 + np.sin(%s))" % d, old
        else:
            e, be = self.expr(scope, other, 2)
            if ctx["in_loop"] or old + be > BOUND_MAX:
                e, be = "0.25 * np.tanh(%s)" % e, 0.25 * ctx["trips"]
            b = old + be
        scope.floats[name][1] = b
        return ["%s %s %s" % (name, op, e)]

    def stmt_write(self, scope, ctx):
        names = self.targets(scope, ctx, arrays_only=True)
        if not names:
            return self.stmt_assign(scope, ctx)
        name = self.choice(names)
        shape, old = scope.floats[name]
        idx = self.index(scope, shape[0])
        e, b = self.expr(scope, ROW[shape], 2)
        op = "="
        if self.chance(30):
            op = "+="
            e, be = "0.25 * np.tanh(%s)" % e, 0.25 * ctx["trips"]
            b = old + be
        elif ctx["in_loop"] or b > BOUND_MAX:
            e, b = "np.tanh(%s)" % e, max(old, 1.0)
        scope.floats[name][1] = max(b, old)
        return ["%s[%s] %s %s" % (name, idx, op, e)]

    def _inner_ctx(self, scope, ctx, trips, loop_kind=None):
        inner = dict(ctx)
        inner["outer"] = set(scope.floats)
        inner["assigned"] = []
        if loop_kind:
            inner["in_loop"] = True
            inner["loop_kind"] = loop_kind
            inner["nest"] = ctx["nest"] + 1
            inner["trips"] = ctx["trips"] * trips
        return inner

    def _merge(self, scope, body_scope):
        """After a nested block: outer names keep their (possibly larger) bounds."""
        for name in scope.floats:
            scope.floats[name][1] = max(scope.floats[name][1], body_scope.floats[name][1])

    def stmt_for(self, scope, ctx):
        body_scope = scope.child()
        iterables = [n for n, (s, _) in scope.floats.items() if s != ()]
        kind = self.choice(["range", "range", "range2"] + (["array", "enum", "zip"]
                                                           if iterables else []))
        if kind in ("range", "range2"):
            n = self.integer(1, 4)
            i = self.fresh_name("i")
            if kind == "range":
                header = "for %s in range(%d):" % (i, n)
                trips = n
            else:
                lo = self.integer(0, 2)
                header = "for %s in range(%d, %d):" % (i, lo, lo + n)
                trips = n
            body_scope.ints[i] = lo + n if kind == "range2" else n
        else:
            arr = self.choice(iterables)
            shape, b = scope.floats[arr]
            trips = shape[0]
            e = self.fresh_name("e")
            body_scope.floats[e] = [ROW[shape], b]
            body_scope.readonly |= {e, arr}
            body_scope.fresh.discard(arr)
            if kind == "array":
                header = "for %s in %s:" % (e, arr)
            elif kind == "enum":
                i = self.fresh_name("j")
                body_scope.ints[i] = trips
                header = "for %s, %s in enumerate(%s):" % (i, e, arr)
            else:
                partners = [n for n, (s, _) in scope.floats.items() if s == shape]
                arr2 = self.choice(partners)
                e2 = self.fresh_name("e")
                body_scope.floats[e2] = [ROW[shape], scope.floats[arr2][1]]
                body_scope.readonly |= {e2, arr2}
                body_scope.fresh.discard(arr2)
                header = "for %s, %s in zip(%s, %s):" % (e, e2, arr, arr2)
        inner = self._inner_ctx(scope, ctx, trips, loop_kind="for")
        pre, post, first = [], [], []
        if self.chance(30):  # accumulate into a list, consume it after the loop
            lst = self.fresh_name("lst")
            shape = self.choice(body_scope.shapes())
            e, be = self.compound(body_scope, shape, 2)
            if self.chance(50):
                e, be = "np.tanh(%s)" % e, 1.0
            pre = ["%s = []" % lst]
            first = ["%s.append(%s)" % (lst, e)]
            out = self.fresh_name("t")
            use = self.choice(["np.sum(np.stack(%s))", "np.mean(np.stack(%s))", "sum(%s)",
                               "np.tanh(%s[0])", "np.sin(%s[-1])"])
            out_shape, out_bound = {
                "np.sum(np.stack(%s))": ((), trips * SIZE[shape] * be),
                "np.mean(np.stack(%s))": ((), be),
                "sum(%s)": (shape, trips * be),
            }.get(use, (shape, 1.0))
            post = ["%s = %s" % (out, use % lst)]
        body = first + self.block(body_scope, inner, self.integer(1, 3))
        body += self.carry(body_scope, inner)
        self._merge(scope, body_scope)
        if post:
            scope.floats[out] = [out_shape, out_bound]
            scope.fresh.add(out)
            ctx["assigned"].append(out)
        return pre + [header] + ["    " + line for line in body] + post

    def stmt_buffer(self, scope, ctx):
        """``t = np.zeros(...)`` filled element by element in a loop (a recurrence)."""
        shape = self.choice([(3,), (2, 3)] if (3,) in scope.shapes() else [(3,)])
        t, i = self.fresh_name("t"), self.fresh_name("i")
        n = shape[0]
        body_scope = scope.child()
        body_scope.ints[i] = n
        inner = self._inner_ctx(scope, ctx, n, loop_kind="for")
        e, _ = self.expr(body_scope, ROW[shape], 2)
        if self.chance(50):
            e = "%s + %s[%s - 1]" % (e, t, i)  # t[-1] is still zero when i == 0
        body = ["%s[%s] = np.tanh(%s)" % (t, i, e)]
        body_scope.floats[t] = [shape, 1.0]
        body_scope.fresh.add(t)
        body += self.block(body_scope, inner, self.integer(0, 1)) if self.chance(50) else []
        self._merge(scope, body_scope)
        scope.floats[t] = [shape, 1.0]
        scope.fresh.add(t)
        ctx["assigned"].append(t)
        zeros = "np.zeros(%d)" % n if shape == (3,) else "np.zeros((2, 3))"
        return (["%s = %s" % (t, zeros), "for %s in range(%d):" % (i, n)]
                + ["    " + line for line in body])

    def stmt_while(self, scope, ctx):
        k = self.fresh_name("k")
        n = self.integer(1, 4)
        body_scope = scope.child()
        body_scope.ints[k] = n
        inner = self._inner_ctx(scope, ctx, n, loop_kind="while")
        body = self.block(body_scope, inner, self.integer(1, 3))
        body += self.carry(body_scope, inner)
        self._merge(scope, body_scope)
        return (["%s = 0" % k, "while %s < %d:" % (k, n)]
                + ["    " + line for line in body] + ["    %s += 1" % k])

    def stmt_if(self, scope, ctx):
        lines = []
        n_branches = self.integer(1, 3)
        for branch in range(n_branches):
            body_scope = scope.child()
            inner = self._inner_ctx(scope, ctx, 1)
            body = self.block(body_scope, inner, self.integer(1, 2))
            self._merge(scope, body_scope)
            if branch == 0:
                head = "if %s:" % self.condition(scope)
            elif branch == n_branches - 1 and self.chance(60):
                head = "else:"
            else:
                head = "elif %s:" % self.condition(scope)
            lines += [head] + ["    " + line for line in body]
            if head == "else:":
                break
        return lines

    def carry(self, scope, ctx):
        """Update a loop-carried variable, so the loop matters to the result."""
        outer = [n for n in self.targets(scope, ctx) if n in ctx["outer"]]
        if not outer:
            return []
        return self.choice([self.stmt_reassign, self.stmt_aug])(scope, ctx, outer)

    def stmt_jump(self, scope, ctx):
        jumps = ["break"] + (["continue"] if ctx["loop_kind"] == "for" else [])
        return ["if %s:" % self.condition(scope), "    " + self.choice(jumps)]

    # -- whole program ------------------------------------------------------
    def program(self):
        n_in = self.integer(1, 4)
        shapes = [self.choice([(), (3,), (2, 3)]) for _ in range(n_in)]
        names = []
        for s in shapes:
            base = INPUT_NAMES[s]
            names.append("%s%d" % (base, sum(1 for n in names if n.startswith(base))))
        scope = Scope({n: [s, 1.2] for n, s in zip(names, shapes, strict=True)})
        helpers = [self.helper() for _ in range(self.integer(0, 2))]
        ctx = {"in_loop": False, "loop_kind": None, "nest": 0, "trips": 1,
               "outer": set(), "assigned": []}
        body = self.block(scope, ctx, self.integer(2, 6 if not self.loops else 4))
        e, _ = self.expr(scope, self.choice(scope.shapes()), 3)
        terms = ["np.sum(%s)" % e]
        last = [n for n in ctx["assigned"] if n in scope.floats][-3:]
        for name in last or [self.choice(sorted(scope.floats))]:
            terms.append("np.sum(np.sin(%s))" % name)
        body.append("return " + " + ".join(terms))
        src = "import numpy as np\n\n\n"
        for h in helpers:
            src += h + "\n\n\n"
        src += "def f(%s):\n" % ", ".join(names)
        src += textwrap.indent("\n".join(body), "    ") + "\n"
        return src, names, shapes


class Program:
    def __init__(self, src, names, shapes, inputs, wrt):
        self.src, self.names, self.shapes = src, names, shapes
        self.inputs, self.wrt = inputs, wrt

    def describe(self):
        inputs = "\n".join("%s = %r" % (n, v) for n, v in zip(self.names, self.inputs, strict=True))
        return "%s\n# inputs\n%s\n# wrt = %r" % (self.src, inputs, self.wrt)

    def args(self):
        return [np.array(v) if np.ndim(v) else v for v in self.inputs]

    def wrt_indices(self):
        items = self.wrt if isinstance(self.wrt, tuple) else (self.wrt,)
        return [self.names.index(w) if isinstance(w, str) else w for w in items]


@st.composite
def programs(draw, loops):
    src, names, shapes = Builder(draw, loops).program()
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    inputs = [float(rng.uniform(-1.2, 1.2)) if s == () else rng.uniform(-1.2, 1.2, s)
              for s in shapes]
    idx = list(range(len(names)))
    kind = draw(st.sampled_from(["int", "name", "all", "subset"]))
    if kind == "int":
        wrt = draw(st.sampled_from(idx))
    elif kind == "name":
        wrt = draw(st.sampled_from(names))
    elif kind == "all":
        wrt = tuple(idx)
    else:
        chosen = draw(st.lists(st.sampled_from(idx), min_size=1, max_size=len(idx),
                               unique=True))
        wrt = tuple(names[i] if draw(st.booleans()) else i for i in chosen)
    return Program(src, names, shapes, inputs, wrt)


# ---------------------------------------------------------------------------
# loading and finite differences

_MODULE_DIR = None


@pytest.fixture(scope="module", autouse=True)
def _module_dir(tmp_path_factory):
    global _MODULE_DIR
    _MODULE_DIR = tmp_path_factory.mktemp("random_programs")
    yield
    for name in [m for m in sys.modules if m.startswith("srcgrad_random_")]:
        del sys.modules[name]


def load(src):
    """Write ``src`` to a .py file, import it, return its ``f``."""
    name = "srcgrad_random_" + hashlib.sha1(src.encode()).hexdigest()[:16]
    if name not in sys.modules:
        path = _MODULE_DIR / (name + ".py")
        path.write_text(src)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name].f


def call(f, args):
    """Call with copies, so nothing can leak between evaluations."""
    return f(*[np.array(a) if np.ndim(a) else a for a in args])


def finite_difference(f, args, i, h):
    x = args[i]
    if np.ndim(x) == 0:
        hi, lo = list(args), list(args)
        hi[i], lo[i] = x + h, x - h
        return (call(f, hi) - call(f, lo)) / (2 * h)
    g = np.zeros(np.shape(x))
    for idx in np.ndindex(g.shape):
        hi, lo = list(args), list(args)
        hi[i] = np.array(x, dtype=float)
        lo[i] = np.array(x, dtype=float)
        hi[i][idx] += h
        lo[i][idx] -= h
        g[idx] = (call(f, hi) - call(f, lo)) / (2 * h)
    return g


def fd_close(a, b, rtol=1e-4, atol=1e-6):
    scale = 1.0 + max(float(np.max(np.abs(a))), float(np.max(np.abs(b))))
    return np.allclose(a, b, rtol=rtol, atol=atol * scale)


def check_against_fd(prog):
    note(prog.describe())
    f = load(prog.src)
    args = prog.args()
    value = call(f, args)
    assert np.ndim(value) == 0 and np.isfinite(value), prog.describe()

    before = [np.array(a, copy=True) for a in args]
    got_value, grads = srcgrad.value_and_grad(f, wrt=prog.wrt)(*args)
    for a, b in zip(args, before, strict=True):
        assert np.array_equal(a, b), "srcgrad mutated an input\n" + prog.describe()
    assert np.isclose(got_value, value, rtol=1e-10, atol=1e-12), (
        "value %r != f(...) = %r\n%s" % (got_value, value, prog.describe()))
    plain = srcgrad.grad(f, wrt=prog.wrt)(*args)

    indices = prog.wrt_indices()
    if isinstance(prog.wrt, tuple):
        assert isinstance(grads, tuple) and len(grads) == len(indices), prog.describe()
        assert isinstance(plain, tuple) and len(plain) == len(indices), prog.describe()
    else:
        grads, plain = (grads,), (plain,)

    for i, g, g2 in zip(indices, grads, plain, strict=True):
        x = args[i]
        label = "d f / d %s" % prog.names[i]
        assert np.shape(g) == np.shape(x), "%s: shape %s, argument %s\n%s" % (
            label, np.shape(g), np.shape(x), prog.describe())
        if np.ndim(x) == 0:
            assert isinstance(g, float), "%s: %r is not a float\n%s" % (
                label, type(g), prog.describe())
        else:
            assert np.asarray(g).dtype == np.float64, prog.describe()
        assert np.allclose(g, g2, rtol=1e-12, atol=1e-14), (
            "%s: grad and value_and_grad disagree\n%s" % (label, prog.describe()))
        fd = finite_difference(f, args, i, 1e-6)
        if not fd_close(g, fd):
            # is the finite difference itself trustworthy here (no branch crossed)?
            assume(fd_close(fd, finite_difference(f, args, i, 1e-5), rtol=1e-5))
            raise AssertionError("%s:\nsrcgrad %r\nfinite differences %r\n%s" % (
                label, g, fd, prog.describe()))


# ---------------------------------------------------------------------------
# the properties


@SETTINGS
@given(programs(loops=False))
def test_straight_line_programs(prog):
    check_against_fd(prog)


@SETTINGS
@given(programs(loops=True))
def test_loop_programs(prog):
    check_against_fd(prog)


@SETTINGS
@given(programs(loops=True))
def test_source_is_a_python_module(prog):
    note(prog.describe())
    f = load(prog.src)
    src = srcgrad.source(f, wrt=prog.wrt)
    assert isinstance(src, str) and src.strip(), prog.describe()
    compile(src, "<srcgrad.source>", "exec")


# The generator itself (independent of srcgrad): programs are valid, their
# values finite and moderate, and finite differences well conditioned.


@settings(SETTINGS, max_examples=40)
@given(st.booleans().flatmap(lambda loops: programs(loops=loops)))
def test_generated_programs_are_well_conditioned(prog):
    note(prog.describe())
    f = load(prog.src)
    assert list(inspect.signature(f).parameters) == prog.names
    assert "def f(" in inspect.getsource(f)
    args = prog.args()
    value = call(f, args)
    assert np.isfinite(value) and abs(value) < 1e4, prog.describe()
    assert call(f, args) == value  # deterministic, inputs untouched
    for i in prog.wrt_indices():
        fd1 = finite_difference(f, args, i, 1e-6)
        fd2 = finite_difference(f, args, i, 1e-5)
        assert np.all(np.isfinite(fd1)) and np.max(np.abs(fd1)) < 1e5, prog.describe()
        assert fd_close(fd1, fd2, rtol=1e-5), prog.describe()


@SETTINGS
@given(programs(loops=True), st.integers(0, 2**32 - 1))
def test_forward_mode_agrees_with_reverse_mode(prog, seed):
    """jvp along a random direction equals <grad, v> (two independent transformations)."""
    note(prog.describe())
    f = load(prog.src)
    args = prog.args()
    indices = prog.wrt_indices()
    grads = srcgrad.grad(f, wrt=prog.wrt)(*args)
    grads = grads if isinstance(prog.wrt, tuple) else (grads,)
    rng = np.random.default_rng(seed)
    tangents = [None] * len(args)
    want = 0.0
    for i, g in zip(indices, grads, strict=True):
        v = float(rng.standard_normal()) if np.ndim(args[i]) == 0 else \
            rng.standard_normal(np.shape(args[i]))
        tangents[i] = v
        want += float(np.sum(np.asarray(g) * v))
    value, t = srcgrad.jvp(f, [np.array(a) if np.ndim(a) else a for a in args], tangents)
    assert np.isclose(value, call(f, args), rtol=1e-10, atol=1e-12), prog.describe()
    scale = 1.0 + abs(want)
    assert abs(t - want) <= 1e-8 * scale, "jvp %r, <grad, v> %r\n%s" % (t, want, prog.describe())
