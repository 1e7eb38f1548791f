"""Name resolution: what a call in the user's code refers to.

A call is looked up in the function's closure, globals and builtins.  The
object found decides what the transformer does with it:

- a primitive with a rule in the rule set (``np.tanh``, ``math.exp``, ``abs``);
- a primitive registered as non-differentiable (``np.argmax``, ``len``);
- a plain Python function with source, which is differentiated too;
- anything else is an error: nothing is silently treated as a constant.
"""

import builtins
import inspect
import sys
import types

from srcgrad.rules.registry import resolve_object
from srcgrad.transforms.ast_util import dotted
from srcgrad.transforms.calls import CustomCall, NonDiff, Primitive, UserFunction
from srcgrad.transforms.parser import parse_source

_OPERATORS = {
    "Add": "operator.add",
    "Sub": "operator.sub",
    "Mult": "operator.mul",
    "Div": "operator.truediv",
    "FloorDiv": "operator.floordiv",
    "Mod": "operator.mod",
    "Pow": "operator.pow",
    "MatMult": "operator.matmul",
}
_ARRAY_MODULES = {"numpy": "numpy", "cupy": "numpy"}
_ALWAYS_NONDIFF = {"len", "range", "int", "bool", "print", "isinstance", "round", "str"}


class _Identity:
    """Rule names by object identity, built lazily per rule set."""

    cache = {}

    @classmethod
    def table(cls, rules):
        key = rules.version
        if key not in cls.cache:
            table = {}
            for n in rules.names():
                rule = rules.get(n)
                if rule is not None and rule.obj is not None:
                    table[id(rule.obj)] = n
                    continue
                try:
                    obj = resolve_object(n)
                except (ImportError, AttributeError):
                    continue
                table.setdefault(id(obj), n)
            cls.cache[key] = (rules, table)
        return cls.cache[key][1]

    @classmethod
    def cupy_table(cls, rules):
        """Rule names of cupy's functions (``cupy.tanh`` is ``numpy.tanh``), by identity.

        Only when the user's code has imported cupy: srcgrad never imports it.
        """
        cupy = sys.modules.get("cupy")
        if cupy is None:
            return {}
        key = (id(rules), id(cupy))
        if key not in cls.cache:
            table = {}
            for n in rules.names():
                if not n.startswith("numpy.") or n.startswith("numpy.ndarray."):
                    continue
                obj = cupy
                for part in n.split(".")[1:]:
                    obj = getattr(obj, part, None)
                if obj is not None and not isinstance(obj, (type, types.ModuleType)):
                    table.setdefault(id(obj), n)
            cls.cache[key] = (rules, cupy, table)
        return cls.cache[key][-1]


def function_source(fn):
    """(source, filename, first line) of a Python function, or a clear error."""
    from srcgrad.errors import SrcgradError

    if getattr(fn, "__wrapped__", None) is not None:
        # inspect reads the source of the function a functools.wraps decorator
        # wrapped: what the decorator adds would be silently lost
        raise SrcgradError(
            f"cannot differentiate {getattr(fn, '__qualname__', fn)!r}: it is wrapped by a "
            "decorator (functools.wraps), and its source is that of the function it wraps, "
            "without what the decorator does. Differentiate the undecorated function and "
            "apply the decorator's arithmetic in your own code, or register an adjoint for "
            "the decorated function (@srcgrad.adjoint)")
    try:
        lines, first = inspect.getsourcelines(fn)
    except (OSError, TypeError) as exc:
        where = getattr(getattr(fn, "__code__", None), "co_filename", "?")
        raise SrcgradError(
            f"cannot read the source of {getattr(fn, '__qualname__', fn)!r} (defined in "
            f"{where}): {exc}. srcgrad differentiates Python source, so the function must be "
            "defined in a file, or in a notebook cell or IPython session that keeps its "
            "source; functions typed into the plain `python` prompt or built with exec() "
            "have none."
        ) from None
    filename = inspect.getsourcefile(fn) or fn.__code__.co_filename
    return "".join(lines), filename, first


class Resolver:
    def __init__(self, fn, rules):
        self.fn = fn
        self.rules = rules
        self.globals = fn.__globals__
        self.closure = {}
        if fn.__closure__:
            for var, cell in zip(fn.__code__.co_freevars, fn.__closure__):
                try:
                    self.closure[var] = cell.cell_contents
                except ValueError:
                    pass
        self.used_globals = set()

    # -- lookups used by the transformer ----------------------------------
    def lookup(self, root):
        if root in self.closure:
            return self.closure[root]
        if root in self.globals:
            self.used_globals.add(root)
            return self.globals[root]
        if hasattr(builtins, root):
            return getattr(builtins, root)
        raise KeyError(root)

    def np_is_numpy(self):
        """Does ``np`` in generated code mean numpy (bound to it here, or not bound)?"""
        obj = self.closure.get("np", self.globals.get("np"))
        return obj is None or getattr(obj, "__name__", None) == "numpy"

    def runtime_defaults(self, fname):
        """Per positional parameter of ``srcgrad.runtime.<fname>``, its default."""
        from srcgrad import runtime
        from srcgrad.transforms.reverse import _NO_DEFAULT

        fn = getattr(runtime, fname, None)
        if fn is None:
            return ()
        out = []
        for p in inspect.signature(fn).parameters.values():
            if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                break
            out.append(_NO_DEFAULT if p.default is p.empty else p.default)
        return tuple(out)

    def is_builtin(self, name):
        if name in self.closure or name in self.globals:
            return False
        return hasattr(builtins, name)

    def array_module(self):
        for alias in ("np", "numpy", "cp", "cupy"):
            obj = self.globals.get(alias)
            if isinstance(obj, types.ModuleType) and obj.__name__ in ("numpy", "cupy"):
                self.used_globals.add(alias)
                return alias
        for alias, obj in self.globals.items():
            if isinstance(obj, types.ModuleType) and obj.__name__ == "numpy":
                self.used_globals.add(alias)
                return alias
        return "np"

    def operator_rule(self, op):
        return self.rules.get(_OPERATORS[op]) if op in _OPERATORS else None

    def method_rule(self, meth):
        if meth == "T":
            return self.rules.get("numpy.transpose")
        return self.rules.get(f"numpy.ndarray.{meth}")

    def resolve_call(self, func, info, local_names):
        path = dotted(func)
        if path is None:
            raise info.error(func, "cannot differentiate a call through an expression",
                             "call a function by its name")
        parts = path.split(".")
        if parts[0] in local_names:
            raise info.error(func, f"cannot differentiate a call of the local value '{path}'",
                             "call a module-level function, or define it with def")
        try:
            obj = self.lookup(parts[0])
            for p in parts[1:]:
                obj = getattr(obj, p)
        except (KeyError, AttributeError):
            raise info.error(func, f"name '{path}' is not defined",
                             "define or import it at module level") from None
        return self.classify(obj, path, parts[0], func, info)

    def classify(self, obj, path, module_alias, func, info):
        """What calling ``obj`` (found as ``path``) means: a primitive, a constant, a callee.

        ``module_alias`` is the name the call starts with (``np`` in ``np.tanh``).
        """
        parts = path.split(".")
        rule_name = self.rule_name(obj, parts)
        if rule_name is not None:
            rule = self.rules.get(rule_name)
            return Primitive(rule, self._template_module(module_alias))
        if parts[0] in ("range", "len") and len(parts) == 1 or (
            obj in (len, range, int, bool, print, isinstance, round, str, slice)
        ):
            return NonDiff()
        from srcgrad.custom import CustomGradient

        if isinstance(obj, CustomGradient):
            params = tuple(inspect.signature(obj.fn).parameters)
            return CustomCall(path, params, obj.__name__)
        if isinstance(obj, types.FunctionType) and \
                str(obj.__module__).startswith("srcgrad.runtime"):
            raise info.error(
                func, f"srcgrad.runtime.{obj.__name__} has no forward rule yet",
                "higher derivatives of this function are not supported; use finite "
                "differences of srcgrad.grad for now")
        if isinstance(obj, types.FunctionType):
            return self.user_function(obj, info, func)
        mod, nm = getattr(obj, "__module__", None), getattr(obj, "__name__", None)
        what = f" ({mod}.{nm})" if mod and nm else f" (a {type(obj).__name__} object)"
        raise info.error(
            func,
            f"no derivative rule for '{path}'{what}",
            "write the computation with functions srcgrad has rules for "
            "(`python -m srcgrad rules` lists them), or with Python code srcgrad can read",
        )

    def _template_module(self, root):
        """The alias that stands for ``np`` in the templates of a call through ``root``.

        ``cp.tanh(x)`` gives ``cp``. Through a submodule (``la.solve`` with
        ``from cupy import linalg as la``) it is the alias of the library's top
        module (``cp``) if the code imports it, else :meth:`array_module`: numpy
        functions dispatch cupy arrays to cupy, so ``np`` serves them too.
        """
        try:
            obj = self.lookup(root)
        except KeyError:
            return self.array_module()
        if not isinstance(obj, types.ModuleType):
            return self.array_module()
        top = obj.__name__.split(".")[0]
        if top not in _ARRAY_MODULES:
            return self.array_module()
        if obj.__name__ == top:
            return root
        for alias, value in self.globals.items():
            if isinstance(value, types.ModuleType) and value.__name__ == top:
                self.used_globals.add(alias)
                return alias
        return self.array_module()

    def rule_name(self, obj, parts):
        table = _Identity.table(self.rules)
        n = table.get(id(obj)) or _Identity.cupy_table(self.rules).get(id(obj))
        if n is not None:
            return n
        try:
            root = self.lookup(parts[0])
        except KeyError:
            return None
        if isinstance(root, types.ModuleType):
            top = root.__name__.split(".")[0]
            if top in _ARRAY_MODULES:
                name = ".".join([root.__name__.replace(top, _ARRAY_MODULES[top], 1)] + parts[1:])
                if name in self.rules:
                    return name
        return None

    def user_function(self, obj, info, func):
        try:
            src, filename, first = function_source(obj)
        except Exception as exc:  # noqa: BLE001 - reported with the call's location
            message = str(exc) if str(exc).startswith("cannot differentiate") else \
                f"cannot differentiate '{obj.__qualname__}': {exc}"
            raise info.error(func, message, "register an adjoint for it") from None
        fndef, callee_info = parse_source(src, filename, first)
        if fndef.args.vararg or fndef.args.kwarg or fndef.args.kwonlyargs or \
                fndef.args.posonlyargs:
            raise info.error(func, f"cannot differentiate a call to '{obj.__name__}': it takes "
                             "*args, **kwargs, keyword-only or positional-only parameters",
                             "give it plain positional parameters")
        return UserFunction(obj, fndef, callee_info, Resolver(obj, self.rules), (),
                            obj.__name__)
