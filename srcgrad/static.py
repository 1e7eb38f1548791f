"""Static name resolution: what the names in a file mean, read from its text alone.

The ``srcgrad`` command differentiates functions in a file without importing
or running it.  :class:`StaticModule` reads a file's top-level statements and
records what each module-level name is bound to; :class:`StaticResolver`
gives the transformer the same answers as :class:`srcgrad.resolve.Resolver`
does for a live function, from those bindings:

- ``import numpy as np``, ``from numpy import tanh``: library modules are
  imported (never the user's own files) and the objects found are matched
  against the rule set as for a live function;
- ``def helper(...)`` in the file, or in a sibling module of the same
  directory or package (``import helpers``, ``from .helpers import act``):
  read from that file and differentiated too;
- module-level constants and other values: read at run time by the
  generated file, which imports them from the user's module.

A name whose meaning depends on running the module (bound inside an ``if``
or ``try``, an attribute of a computed value, a ``*`` import of a user
module that cannot be read) is reported with its location and the reason.
"""

import ast
import builtins
import dataclasses
import importlib
import io
import os
import types

from srcgrad.errors import SrcgradError
from srcgrad.resolve import Resolver
from srcgrad.transforms.ast_util import dotted
from srcgrad.transforms.calls import UserFunction
from srcgrad.transforms.diagnostics import TransformError
from srcgrad.transforms.parser import parse_source


class Unresolvable(Exception):
    """A name whose meaning cannot be known without running the module."""

    def __init__(self, why, hint=""):
        super().__init__(why)
        self.why = why
        self.hint = hint


@dataclasses.dataclass
class Binding:
    """The last top-level statement binding a module-level name."""

    kind: str  # "import", "from", "def", "value", "class", "conditional"
    node: ast.AST
    module: str = ""  # for imports: the module named (``numpy``, ``helpers``)
    attr: str = ""  # for ``from m import attr``
    level: int = 0  # leading dots of a relative import


@dataclasses.dataclass
class LocalFunction:
    """A function defined with ``def`` at the top of a user file."""

    module: "StaticModule"
    name: str
    node: ast.FunctionDef


@dataclasses.dataclass
class LocalValue:
    """A module-level value of a user file (a constant, a class, an object)."""

    module: "StaticModule"
    name: str
    what: str  # "a value assigned at line 3"


def _is_main_guard(stmt):
    """``if __name__ == "__main__":``: never runs when the module is imported."""
    t = stmt.test
    return (isinstance(t, ast.Compare) and isinstance(t.left, ast.Name)
            and t.left.id == "__name__" and len(t.comparators) == 1
            and isinstance(t.comparators[0], ast.Constant)
            and t.comparators[0].value == "__main__")


def _bound_names(target):
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for e in target.elts for n in _bound_names(e)]
    if isinstance(target, ast.Starred):
        return _bound_names(target.value)
    return []


class StaticModule:
    """A user file, parsed: its text, tree and module-level bindings."""

    def __init__(self, path, text=None):
        self.path = os.path.abspath(path)
        rel = os.path.relpath(self.path)
        self.filename = path if not os.path.isabs(path) or rel.startswith("..") else rel
        if text is None:
            with open(path, encoding="utf-8-sig") as fh:
                text = fh.read()
        self.text = text
        self.lines = io.StringIO(text).readlines()  # split as ast counts lines
        try:
            self.tree = ast.parse(text, filename=self.filename)
        except SyntaxError as exc:
            raise TransformError(f"syntax error: {exc.msg}", self.filename, exc.lineno or 1,
                                 max((exc.offset or 1) - 1, 0), exc.text or "",
                                 "fix the syntax error; srcgrad reads the file as Python") from None
        self.bindings = {}
        self.star_imports = []  # (module, level, node), in order
        for stmt in self.tree.body:
            self._bind(stmt)

    @property
    def base(self):
        return os.path.basename(self.path)

    @property
    def stem(self):
        return os.path.splitext(self.base)[0]

    def functions(self):
        """Top-level ``def`` statements, in source order, with their binding still current."""
        return [s for s in self.tree.body if isinstance(s, ast.FunctionDef)
                and self.bindings.get(s.name, Binding("", None)).node is s]

    def _bind(self, stmt, conditional=None):
        def put(name, binding):
            if conditional is not None:
                binding = Binding("conditional", conditional)
            self.bindings[name] = binding

        if isinstance(stmt, ast.Import):
            for a in stmt.names:
                if a.asname:
                    put(a.asname, Binding("import", stmt, a.name))
                else:
                    top = a.name.split(".")[0]
                    put(top, Binding("import", stmt, top))
        elif isinstance(stmt, ast.ImportFrom):
            for a in stmt.names:
                if a.name == "*":
                    if conditional is None:
                        self.star_imports.append((stmt.module or "", stmt.level, stmt))
                    continue
                put(a.asname or a.name,
                    Binding("from", stmt, stmt.module or "", a.name, stmt.level))
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            put(stmt.name, Binding("def", stmt))
        elif isinstance(stmt, ast.ClassDef):
            put(stmt.name, Binding("class", stmt))
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for t in targets:
                for n in _bound_names(t):
                    put(n, Binding("value", stmt))
        elif isinstance(stmt, ast.If) and _is_main_guard(stmt):
            return
        elif isinstance(stmt, (ast.If, ast.Try, ast.For, ast.While, ast.With)) or \
                type(stmt).__name__ in ("TryStar", "Match", "AsyncFor", "AsyncWith"):
            cond = conditional or stmt
            if isinstance(stmt, (ast.For, ast.AsyncFor)):
                for name in _bound_names(stmt.target):
                    put(name, Binding("conditional", cond))
            for item in getattr(stmt, "items", ()):
                for name in _bound_names(item.optional_vars) if item.optional_vars else ():
                    put(name, Binding("conditional", cond))
            blocks = [getattr(stmt, f, []) for f in ("body", "orelse", "finalbody")]
            blocks += [h.body for h in getattr(stmt, "handlers", ())]
            blocks += [c.body for c in getattr(stmt, "cases", ())]
            for h in getattr(stmt, "handlers", ()):
                if h.name:
                    put(h.name, Binding("conditional", cond))
            for block in blocks:
                for inner in block:
                    self._bind(inner, cond)
        elif isinstance(stmt, ast.Delete):
            for t in stmt.targets:
                for n in _bound_names(t):
                    self.bindings.pop(n, None)

    def where(self, node):
        return f"{self.base}:{node.lineno}"

    def function_source(self, node):
        """(source, first line) of a top-level function, decorators included."""
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        return "".join(self.lines[first - 1:node.end_lineno]), first

    def error(self, node, message, hint=""):
        line = self.lines[node.lineno - 1] if 0 < node.lineno <= len(self.lines) else ""
        return TransformError(message, self.filename, node.lineno, node.col_offset, line, hint)


class _AbsentArrayModule(types.ModuleType):
    """cupy where it is not installed: its functions are known by name only.

    The rules for ``cupy.tanh`` are those of ``numpy.tanh``, so code written
    for cupy can be differentiated on a machine without a GPU.
    """

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _AbsentArrayModule(f"{self.__name__}.{attr}")


class Loader:
    """User files read so far, and how module names map to them.

    ``root`` is the directory of the file the command was given: modules
    found next to it, or inside its package, are the user's and are read,
    never imported.  Everything else is a library and is imported.
    """

    def __init__(self):
        self.modules = {}

    def load(self, path):
        key = os.path.abspath(path)
        if key not in self.modules:
            self.modules[key] = StaticModule(path)
        return self.modules[key]

    # -- finding user modules ---------------------------------------------------
    @staticmethod
    def package_root(directory):
        """The directory above the outermost package containing ``directory``."""
        d = os.path.abspath(directory)
        while os.path.exists(os.path.join(d, "__init__.py")):
            d = os.path.dirname(d)
        return d

    @staticmethod
    def _file_for(base, dotted_name):
        parts = [p for p in dotted_name.split(".") if p]
        path = os.path.join(base, *parts)
        for candidate in (path + ".py", os.path.join(path, "__init__.py")):
            if parts and os.path.isfile(candidate):
                return candidate
        return None

    def user_file(self, module, name, level):
        """The file of the user module ``name`` imported from ``module``, or None."""
        here = os.path.dirname(module.path)
        if level:
            base = here
            for _ in range(level - 1):
                base = os.path.dirname(base)
            if not name:
                return os.path.join(base, "__init__.py")
            return self._file_for(base, name)
        for base in (here, self.package_root(here)):
            found = self._file_for(base, name)
            if found:
                return found
        return None

    # -- values of names ------------------------------------------------------------
    def value(self, module, name, seen=None):
        """What the module-level ``name`` of ``module`` is; KeyError when unbound."""
        seen = seen or set()
        if (module.path, name) in seen:
            raise Unresolvable(f"'{name}' is imported in a cycle between user modules")
        seen.add((module.path, name))
        b = module.bindings.get(name)
        if b is None:
            return self._from_star(module, name, seen)
        if b.kind == "def":
            if isinstance(b.node, ast.AsyncFunctionDef):
                return LocalValue(module, name, f"an async function ({module.where(b.node)})")
            return LocalFunction(module, name, b.node)
        if b.kind == "value":
            what = "a lambda" if isinstance(getattr(b.node, "value", None), ast.Lambda) else \
                "a value"
            return LocalValue(module, name, f"{what} assigned at {module.where(b.node)}")
        if b.kind == "class":
            return LocalValue(module, name, f"a class defined at {module.where(b.node)}")
        if b.kind == "conditional":
            kind = type(b.node).__name__.lower()
            raise Unresolvable(
                f"'{name}' is bound inside the `{kind}` statement at {module.where(b.node)}, "
                "so what it is depends on running the module")
        if b.kind == "import":
            return self.module_value(module, b.module, 0)
        # from m import attr
        return self.attribute(self.module_value(module, b.module, b.level), b.attr, seen,
                              f"{'.' * b.level}{b.module}")

    def _from_star(self, module, name, seen):
        for mod, level, node in reversed(module.star_imports):
            try:
                target = self.module_value(module, mod, level)
            except Unresolvable as exc:
                raise Unresolvable(
                    f"'{name}' is not defined in {module.base}; it may come from `from "
                    f"{'.' * level}{mod} import *` at {module.where(node)}, but {exc.why}",
                    exc.hint) from None
            try:
                if isinstance(target, StaticModule):
                    if name.startswith("_"):
                        continue
                    return self.value(target, name, seen)
                exported = getattr(target, "__all__", None)
                if exported is None:
                    exported = [n for n in dir(target) if not n.startswith("_")]
                if name in exported:
                    return getattr(target, name)
            except KeyError:
                continue
        raise KeyError(name)

    def star_library(self, module, name):
        """The library whose ``*`` import in ``module`` provides ``name``, or None."""
        for mod, level, _ in reversed(module.star_imports):
            try:
                target = self.module_value(module, mod, level)
            except Unresolvable:
                return None
            if isinstance(target, StaticModule):
                return None
            exported = getattr(target, "__all__", None) or [
                n for n in dir(target) if not n.startswith("_")]
            if name in exported:
                return mod
        return None

    def module_value(self, module, name, level):
        """A user module (a StaticModule) or an imported library module."""
        found = self.user_file(module, name, level)
        if found is not None:
            return self.load(found)
        if level:
            raise Unresolvable(f"the relative import of '{'.' * level}{name}' names no file "
                               f"next to {module.base}")
        try:
            return importlib.import_module(name)
        except ImportError as exc:
            if name.split(".")[0] == "cupy":
                return _AbsentArrayModule(name)  # gradients for a GPU, made on a CPU machine
            raise Unresolvable(f"module '{name}' cannot be imported ({exc})",
                               f"install {name.split('.')[0]} where srcgrad runs (for the "
                               "pre-commit hook: additional_dependencies)") from None
        except Exception as exc:  # noqa: BLE001 - any failure means: cannot be resolved
            raise Unresolvable(f"module '{name}' cannot be imported ({type(exc).__name__}: "
                               f"{exc})") from None

    def attribute(self, obj, attr, seen, path):
        if isinstance(obj, StaticModule):
            try:
                return self.value(obj, attr, seen)
            except KeyError:
                sub = self._file_for(os.path.dirname(obj.path), attr) if \
                    obj.base == "__init__.py" else None
                if sub:
                    return self.load(sub)
                raise Unresolvable(f"'{path}' ({obj.base}) defines no '{attr}'") from None
        if isinstance(obj, (LocalFunction, LocalValue)):
            what = "a function" if isinstance(obj, LocalFunction) else obj.what
            raise Unresolvable(f"'{attr}' is an attribute of '{obj.name}', {what}; its value "
                               "is only known once the module runs")
        try:
            return getattr(obj, attr)
        except AttributeError:
            if isinstance(obj, types.ModuleType):
                try:
                    return importlib.import_module(f"{obj.__name__}.{attr}")
                except ImportError:
                    pass
            raise Unresolvable(f"'{path}' has no attribute '{attr}'") from None


class StaticResolver(Resolver):
    """The transformer's resolver for a function read from a file, not imported."""

    def __init__(self, module, loader, rules):
        self.module = module
        self.loader = loader
        self.rules = rules
        self.fn = None
        self.globals = {}
        self.closure = {}
        self.used_globals = set()

    # -- lookups --------------------------------------------------------------
    def find(self, root):
        """The value of the module-level or builtin name ``root``; KeyError if unbound."""
        try:
            return self.loader.value(self.module, root)
        except KeyError:
            if hasattr(builtins, root):
                return getattr(builtins, root)
            raise

    def lookup(self, root):
        obj = self.find(root)
        if root in self.module.bindings:
            self.used_globals.add(root)
        return obj

    def is_builtin(self, name):
        try:
            self.loader.value(self.module, name)
            return False
        except KeyError:
            return hasattr(builtins, name)
        except Unresolvable:
            return False

    def np_is_numpy(self):
        """Does ``np`` in generated code mean numpy (imported as such here, or not bound)?"""
        b = self.module.bindings.get("np")
        return b is None or (b.kind == "import" and b.module == "numpy")

    def array_module(self):
        aliases = [n for n, b in self.module.bindings.items()
                   if b.kind == "import" and b.module in ("numpy", "cupy")]
        for alias in ("np", "numpy", "cp", "cupy"):
            if alias in aliases:
                self.used_globals.add(alias)
                return alias
        for alias in sorted(aliases):
            if self.module.bindings[alias].module == "numpy":
                self.used_globals.add(alias)
                return alias
        return "np"

    # -- calls ------------------------------------------------------------------
    def resolve_call(self, func, info, local_names):
        path = dotted(func)
        if path is None or path.split(".")[0] in local_names:
            return super().resolve_call(func, info, local_names)
        parts = path.split(".")
        try:
            obj = self.lookup(parts[0])
            for i, p in enumerate(parts[1:], 1):
                obj = self.loader.attribute(obj, p, set(), ".".join(parts[:i]))
        except KeyError:
            raise info.error(func, f"name '{path}' is not defined",
                             "define or import it at module level") from None
        except Unresolvable as exc:
            raise info.error(
                func, f"cannot resolve '{path}' without running {self.module.base}: {exc.why}",
                exc.hint or "define or import it unconditionally at module level (`from numpy "
                "import tanh`, `def helper(...)`), or differentiate from Python with "
                "srcgrad.grad, which sees the running module") from None
        if isinstance(obj, LocalFunction):
            return self.static_function(obj, info, func)
        if isinstance(obj, LocalValue):
            raise info.error(func, f"cannot differentiate a call of '{path}': it is {obj.what}",
                             "call a function defined with def, or one srcgrad has a rule for")
        if isinstance(obj, StaticModule):
            raise info.error(func, f"'{path}' is a module ({obj.base}), not a function")
        return self.classify(obj, path, parts[0], func, info)

    def user_function(self, obj, info, func):
        # A library function without a rule: its source is not the user's to read.
        mod, nm = getattr(obj, "__module__", "?"), getattr(obj, "__name__", "?")
        raise info.error(func, f"no derivative rule for '{dotted(func)}' ({mod}.{nm})",
                         "write the computation with functions srcgrad has rules for "
                         "(`srcgrad rules` lists them), or with Python code in your files")

    def static_function(self, fn, info, func):
        src, first = fn.module.function_source(fn.node)
        fndef, callee_info = parse_source(src, fn.module.filename, first)
        if fndef.args.vararg or fndef.args.kwarg or fndef.args.kwonlyargs or \
                fndef.args.posonlyargs:
            raise info.error(func, f"cannot differentiate a call to '{fn.name}': it takes "
                             "*args, **kwargs, keyword-only or positional-only parameters",
                             "give it plain positional parameters")
        resolver = StaticResolver(fn.module, self.loader, self.rules)
        return UserFunction(("static", fn.module.path, fn.name), fndef, callee_info, resolver,
                            (), fn.name)

    # -- what the generated file imports ------------------------------------------
    def import_line(self, name, module_ref, out_dir):
        """The line giving the generated file in ``out_dir`` the global ``name``.

        None for a builtin.  ``module_ref(static_module)`` is how that file
        imports a user module (``model`` or ``.model``).  Imports are copied
        as the user wrote them where they still work (libraries always, user
        modules when the file sits beside its source); other names are taken
        from the user's module.
        """
        b = self.module.bindings.get(name)
        if b is None:
            try:
                self.loader.value(self.module, name)
            except KeyError:
                if hasattr(builtins, name):
                    return None
                raise SrcgradError(
                    f"{self.module.base}: name '{name}' is used but never defined") from None
            except Unresolvable:
                pass
            library = self.loader.star_library(self.module, name)
            if library:
                return f"from {library} import {name}"
        beside = os.path.dirname(self.module.path) == os.path.abspath(out_dir)
        if b is not None and b.kind == "import":
            a = next(a for a in b.node.names if (a.asname or a.name.split(".")[0]) == name)
            if beside or self.loader.user_file(self.module, a.name, 0) is None:
                return f"import {a.name}" if a.asname in (None, a.name) else (
                    f"import {a.name} as {a.asname}")
        if b is not None and b.kind == "from":
            if beside or not b.level and self.loader.user_file(self.module, b.module, 0) is None:
                return f"from {'.' * b.level}{b.module} import {b.attr}" + (
                    "" if b.attr == name else f" as {name}")
        return f"from {module_ref(self.module)} import {name}"


__all__ = ["StaticModule", "StaticResolver", "Loader", "Unresolvable"]
