"""Error handling: located errors for unsupported constructs, clear API errors.

Contract (from the project's issue):

- every construct srcgrad cannot differentiate raises ``srcgrad.TransformError``
  whose ``str()`` is ``file:line:col: message``, the source line, a caret line
  under the column, and ``help: ...``; attributes ``filename``, ``lineno``,
  ``col`` (0-based), ``line`` and ``hint``;
- a function with neither a derivative rule nor Python source raises -- it is
  never silently treated as a constant;
- misuse of the API raises ``srcgrad.SrcgradError`` with a clear message;
- an internal exception (AttributeError, KeyError, AssertionError, ...)
  escaping to a user is a bug.

The functions differentiated here live in ``tests/errors_cases``; the
offending line of each carries a ``# error: SNIPPET`` comment, and the error
must point at that line with its caret inside ``SNIPPET``.
"""

from __future__ import annotations

import importlib.util
import inspect
import itertools
import os
import re
import sys
import tempfile
import textwrap
from unittest import mock

import numpy as np
import pytest
from errors_cases import calls as calls_cases
from errors_cases import expressions as expr_cases
from errors_cases import statements as stmt_cases
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

import srcgrad
from srcgrad.rules import default_rules

MARKER = re.compile(r"#\s*error:\s*(?P<snippet>.+?)\s*$")


# -- where an error must point ---------------------------------------------------
def expected_location(fn):
    """(file, line number, source line, first col, end col) of ``fn``'s marker."""
    lines, first = inspect.getsourcelines(fn)
    filename = inspect.getsourcefile(fn)
    for offset, text in enumerate(lines):
        m = MARKER.search(text)
        if m:
            code = text[: m.start()]
            start = code.find(m.group("snippet"))
            assert start >= 0, f"marker snippet not found on its line: {text!r}"
            return filename, first + offset, text.rstrip("\n"), start, start + len(
                m.group("snippet"))
    raise AssertionError(f"{fn.__qualname__} has no '# error:' marker")


def check_located(err, where):
    """``err`` is a TransformError located at ``where`` (a function with a marker)."""
    filename, lineno, line, start, end = expected_location(where)
    assert isinstance(err, srcgrad.TransformError), (
        f"expected TransformError, got {type(err).__name__}: {err}")
    text = str(err)
    assert os.path.exists(err.filename) and os.path.samefile(err.filename, filename), (
        f"error names file {err.filename!r}, expected {filename!r}\n{text}")
    assert err.lineno == lineno, f"error points at line {err.lineno}, expected {lineno}\n{text}"
    assert err.line.rstrip() == line.rstrip(), (
        f"error.line is {err.line!r}, expected the source line {line!r}\n{text}")
    assert start <= err.col < end, (
        f"caret at column {err.col}, expected within [{start}, {end}) "
        f"({line[start:end]!r})\n{text}")
    assert isinstance(err.hint, str) and err.hint.strip(), f"error has no help line\n{text}"

    out = text.splitlines()
    assert len(out) >= 4, f"expected header, source, caret and help lines:\n{text}"
    header = re.match(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): (?P<msg>\S.*)$", out[0])
    assert header, f"first line is not 'file:line:col: message': {out[0]!r}"
    assert header["file"] == err.filename
    assert int(header["line"]) == err.lineno
    # Columns print 1-based, as compilers (and Python's SyntaxError.offset) do.
    assert int(header["col"]) == err.col + 1, f"header column vs err.col={err.col}: {out[0]!r}"
    shown, caret = out[1], out[2]
    assert shown.rstrip().endswith(line.strip()), f"second line is not the source: {shown!r}"
    indent = len(shown.rstrip()) - len(line.rstrip())
    assert caret.strip() == "^", f"third line is not a caret line: {caret!r}"
    assert caret.index("^") == indent + err.col, (
        f"caret is not under column {err.col}:\n{shown}\n{caret}")
    assert out[-1].startswith("help: ") and out[-1][len("help: "):].strip(), (
        f"last line is not 'help: ...': {out[-1]!r}")
    assert text.endswith("help: " + err.hint), f"help line does not show err.hint:\n{text}"


def _id(case):
    return case[0].__name__


# (function, wrt, words one of which the message must contain, where the marker is)
UNSUPPORTED = [
    # statements
    (stmt_cases.try_except, 0, ("try",), None),
    (stmt_cases.with_open, 0, ("with",), None),
    (stmt_cases.global_stmt, 0, ("global",), None),
    (stmt_cases.nonlocal_stmt, 0, ("nonlocal",), None),
    (stmt_cases.del_stmt, 0, ("del",), None),
    (stmt_cases.generator, 0, ("yield", "generator"), None),
    (stmt_cases.async_def, 0, ("async", "coroutine"), None),
    (stmt_cases.nested_async_def, 0, ("async",), None),
    (stmt_cases.class_inside, 0, ("class",), None),
    (stmt_cases.match_stmt, 0, ("match",), None),
    (stmt_cases.import_inside, 0, ("import",), None),
    (stmt_cases.import_from_inside, 0, ("import",), None),
    # expressions and assignment targets
    (expr_cases.lambda_value, 0, ("lambda",), None),
    (expr_cases.dict_display, 0, ("dict",), None),
    (expr_cases.set_display, 0, ("set",), None),
    (expr_cases.walrus, 0, ("namedexpr", ":=", "walrus", "assignment expression"), None),
    (expr_cases.starred_assign, 0, ("starred", "*rest"), None),
    (expr_cases.attribute_write, 0, ("attribute", "STATE.a", "target"), None),
    (expr_cases.nested_subscript_write, 0, ("nested", "subscript"), None),
    # calls
    (calls_cases.star_args, 0, ("*args",), None),
    (calls_cases.star_kwargs, 0, ("**kwargs", "**kw"), None),
    (calls_cases.local_function_call, 0, ("'g'",), None),
    (calls_cases.parameter_function_call, 0, ("'fn'",), None),
    (calls_cases.method_without_rule, 0, ("getfield",), None),
    (calls_cases.method_tofile, 0, ("tofile",), None),
    (calls_cases.numpy_without_rule, 0, ("eig",), None),
    (calls_cases.c_function_sorted, 0, ("sorted",), None),
    (calls_cases.c_function_reduce, 0, ("reduce",), None),
    (calls_cases.callable_object, 0, ("AFFINE",), None),
    (calls_cases.partial_object, 0, ("PARTIAL",), None),
    # neither a rule nor source: an error, never a constant
    (calls_cases.calls_sourceless, 0, ("from_exec",), None),
    (calls_cases.sourceless_constant, 0, ("from_exec",), None),
    (calls_cases.calls_helper_calling_sourceless, 0, ("from_exec",),
     calls_cases._helper_calls_sourceless),
]


def test_rule_free_primitives_really_have_no_rule():
    rules = default_rules()
    assert rules.get("numpy.linalg.eig") is None
    assert rules.get("numpy.ndarray.getfield") is None
    assert rules.get("numpy.ndarray.tofile") is None
    assert rules.get("builtins.sorted") is None
    assert rules.get("functools.reduce") is None


@pytest.mark.parametrize("entry", ["grad", "value_and_grad", "source"])
@pytest.mark.parametrize("case", UNSUPPORTED, ids=[_id(c) for c in UNSUPPORTED])
def test_unsupported_construct_is_located(case, entry):
    fn, wrt, _, where = case
    with pytest.raises(Exception) as info:
        getattr(srcgrad, entry)(fn, wrt=wrt)
    check_located(info.value, where or fn)


@pytest.mark.parametrize("case", UNSUPPORTED, ids=[_id(c) for c in UNSUPPORTED])
def test_unsupported_message_names_the_construct(case):
    fn, wrt, words, _ = case
    with pytest.raises(srcgrad.TransformError) as info:
        srcgrad.grad(fn, wrt=wrt)
    message = str(info.value).splitlines()[0].lower()
    assert any(w.lower() in message for w in words), (
        f"message does not mention any of {words}:\n{info.value}")


def test_unsupported_error_is_raised_by_vjp_too():
    with pytest.raises(srcgrad.TransformError) as info:
        srcgrad.vjp(stmt_cases.try_except, np.ones(3))
    check_located(info.value, stmt_cases.try_except)


def test_sourceless_callee_error_says_why():
    with pytest.raises(srcgrad.TransformError) as info:
        srcgrad.grad(calls_cases.calls_sourceless)
    text = str(info.value)
    assert "source" in text.lower()


def _doubled(f):
    import functools

    @functools.wraps(f)
    def wrapper(*args):
        return 2.0 * f(*args)

    return wrapper


@_doubled
def _wrapped_helper(x, a):
    return a * x


def _calls_wrapped_helper(x, a):
    return np.sum(_wrapped_helper(x, a) ** 2)


def test_a_function_wrapped_by_a_decorator_is_refused():
    # its source (what inspect finds) is the undecorated function's: the
    # decorator's factor 2 would be silently lost
    with pytest.raises(srcgrad.TransformError) as info:
        srcgrad.grad(_calls_wrapped_helper, wrt=(0, 1))
    assert info.value.lineno == inspect.getsourcelines(_calls_wrapped_helper)[1] + 1
    assert "wrapped by a decorator" in str(info.value)
    with pytest.raises(srcgrad.SrcgradError, match="wrapped by a decorator"):
        srcgrad.grad(_wrapped_helper)


def test_transform_error_attributes_and_rendering():
    err = srcgrad.TransformError("bad thing", "model.py", 3, 8, "    y = foo(x)\n", "do this")
    assert (err.filename, err.lineno, err.col, err.hint) == ("model.py", 3, 8, "do this")
    lines = str(err).splitlines()
    assert lines[0] == "model.py:3:9: bad thing"
    assert lines[1].endswith("    y = foo(x)")
    indent = len(lines[1]) - len("    y = foo(x)")
    assert lines[2] == " " * (indent + 8) + "^"
    assert lines[3] == "help: do this"
    assert issubclass(srcgrad.TransformError, Exception)
    assert not issubclass(srcgrad.TransformError, (AttributeError, KeyError, RuntimeError))


# -- API misuse ----------------------------------------------------------------------
def two(x, y):
    return np.sum(x * y)


def returns_array(x):
    return np.sin(x) * 2.0


def returns_tuple(x):
    return np.sum(x), np.sum(x * x)


def returns_list(x):
    return [np.sum(x), np.sum(x * x)]


def var_positional(x, *rest):
    return x * 2.0


def var_keyword(x, **options):
    return x * 2.0


def keyword_only(x, *, y):
    return x * y


def _exec_defined():
    ns = {}
    exec("def from_exec(x):\n    return x * 2.0\n", ns)
    return ns["from_exec"]


def _compile_defined():
    ns = {}
    code = compile("def from_compile(x):\n    return x * 2.0\n", "<string>", "exec")
    exec(code, ns)
    return ns["from_compile"]


class CallableObject:
    def __call__(self, x):
        return x * 2.0


ENTRIES = {
    "grad": lambda f, wrt: srcgrad.grad(f, wrt=wrt),
    "value_and_grad": lambda f, wrt: srcgrad.value_and_grad(f, wrt=wrt),
    "vjp": lambda f, wrt: srcgrad.vjp(f, *([1.5] * _nparams(f)), wrt=wrt),
    "source": lambda f, wrt: srcgrad.source(f, wrt=wrt),
}


def _nparams(f):
    try:
        return len(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        return 1


WRT_MISUSE = [
    ("out_of_range", 2, [r"\b2\b", r"range|parameters"]),
    ("out_of_range_negative", -3, [r"-3", r"range|parameters"]),
    ("out_of_range_in_tuple", (0, 5), [r"\b5\b", r"range|parameters"]),
    ("not_a_parameter", "z", [r"'z'", r"parameter"]),
    ("not_a_parameter_in_tuple", ("x", "z"), [r"'z'", r"parameter"]),
    ("float", 1.0, [r"wrt", r"1\.0"]),
    ("none", None, [r"wrt", r"None"]),
    ("bool", True, [r"wrt", r"True"]),
    ("dict", {"x": 1}, [r"wrt"]),
    ("duplicate_index", (0, 0), [r"twice|duplicate|more than once"]),
    ("duplicate_name", ("y", "y"), [r"twice|duplicate|more than once"]),
    ("duplicate_mixed", (0, "x"), [r"twice|duplicate|more than once"]),
    ("empty_tuple", (), [r"empty|at least one"]),
]


@pytest.mark.parametrize("entry", sorted(ENTRIES))
@pytest.mark.parametrize("wrt,patterns", [c[1:] for c in WRT_MISUSE],
                         ids=[c[0] for c in WRT_MISUSE])
def test_bad_wrt(entry, wrt, patterns):
    with pytest.raises(srcgrad.SrcgradError) as info:
        ENTRIES[entry](two, wrt)
    for p in patterns:
        assert re.search(p, str(info.value)), f"{p!r} not in message: {info.value}"


BAD_FUNCTIONS = [
    ("lambda", lambda: (lambda x: x * x), [r"lambda", r"\bdef\b"]),
    ("ufunc", lambda: np.sin, [r"function"]),
    ("builtin", lambda: abs, [r"function"]),
    ("int", lambda: 3, [r"function"]),
    ("callable_object", lambda: CallableObject(), [r"function"]),
    ("var_positional", lambda: var_positional, [r"\*args"]),
    ("var_keyword", lambda: var_keyword, [r"\*\*kwargs"]),
    ("keyword_only", lambda: keyword_only, [r"keyword"]),
    ("exec", _exec_defined,
     [r"source", r"exec", r"notebook", r"IPython", r"from_exec"]),
    ("compile_exec", _compile_defined,
     [r"source", r"exec", r"notebook", r"IPython", r"from_compile"]),
]


@pytest.mark.parametrize("entry", sorted(ENTRIES))
@pytest.mark.parametrize("make,patterns", [c[1:] for c in BAD_FUNCTIONS],
                         ids=[c[0] for c in BAD_FUNCTIONS])
def test_bad_function(entry, make, patterns):
    with pytest.raises(srcgrad.SrcgradError) as info:
        ENTRIES[entry](make(), 0)
    for p in patterns:
        assert re.search(p, str(info.value)), f"{p!r} not in message: {info.value}"


@pytest.mark.parametrize("entry", ["grad", "value_and_grad"])
@pytest.mark.parametrize("fn", [returns_array, returns_tuple, returns_list],
                         ids=lambda f: f.__name__)
def test_grad_of_non_scalar_says_use_vjp(entry, fn):
    g = getattr(srcgrad, entry)(fn)
    with pytest.raises(srcgrad.SrcgradError) as info:
        g(np.array([0.1, 0.2, 0.3]))
    assert "vjp" in str(info.value)
    assert "scalar" in str(info.value)


def test_errors_are_exception_subclasses_users_can_catch():
    assert issubclass(srcgrad.SrcgradError, Exception)
    assert not issubclass(srcgrad.SrcgradError, (TypeError, ValueError, AttributeError,
                                                 KeyError, RuntimeError))


# -- property: random programs never leak internal errors ------------------------------
HEADER = '''\
import functools
import operator
import types

import numpy as np

G = 0.0
STATE = types.SimpleNamespace(a=0.0)


def helper(v):
    return v * 1.5


def apply(fn, v):
    return fn(v)


'''

# Statements over x (shape (3,)), a (float), n (int in [0, 6]); y is an array
# of shape (3,) that the function returns the sum of.
SUPPORTED_STMTS = [
    "y = np.sin(y) * 0.5 + x",
    "y = y * a",
    "y = np.tanh(y + a)",
    "y = helper(y)",
    "for i in range(n):\n    y = y + 0.1 * x",
    "if a > 0.137:\n    y = y * 2.0\nelse:\n    y = y - x",
    "y[1] = a * 2.0",
    "z = (y, a)\ny = z[0] * z[1]",
    "assert n >= 0",
    "if n > 5:\n    raise ValueError('n too large')",
    "y = y * x[n]",
    "y = y + max(a, 0.5)",
    "y = y + (1.0 if a < 0.2 else 2.0)",
    "lst = [y, x]\ny = lst[0] + lst[1]",
    "y = y.sum() * x",
    "y = np.where(y > 0.0, y, x)",
    "if 0.0 < a < 0.5:\n    y = y * 3.0",
    "k = len(y)\ny = y / k",
    "y = y + sum([t * 1.0 for t in x])",
    "while n > 10:\n    n = n - 1",
    "y += x * a",
    "y = y[::-1]",
    "y = np.stack([y, x])[0]",
    "for t in x:\n    y = y + t",
    "for i in range(3):\n    if x[i] > 0.3:\n        break\n    y = y * 1.1",
    "if a > 0.9:\n    return np.sum(x) * a",
    "def inner(t):\n    return t * a\ny = inner(y)",
    "x, y = y, x",
    "y = -y",
    "y **= 2",
    "y[0] += a",
    "y[n % 3] = a",
    "a = a + 1.0",
    "n = n + 1",
    "y = y * float(n)",
    "y = y * int(a)",
    "y = y + sum([t for t in x if t > 0.0])",
    "y = np.array([a, a, a]) * y",
    "y = y.reshape(3, 1).ravel()",
    "y = y.T * x.T",
    "y = y.astype(np.float32)",
    "y = y.copy()",
    "y = abs(y) ** 2",
    "y = y * (not a > 0.0)",
    "s = 'abc'\ny = y * len(s)",
    "y = y * np.sum(x > 0.0)",
    "y = y * x.shape[0]",
    "pass",
    "'docstring-like'",
    "y = y if n else x",
]

UNSUPPORTED_STMTS = [
    "try:\n    y = y * 2.0\nexcept ValueError:\n    pass",
    "with open(__file__) as fh:\n    y = y * 1.0",
    "global G\nG = a",
    "del x",
    "import math",
    "from math import pi",
    "class Box:\n    pass",
    "y = apply(lambda t: t * 2.0, y)",
    "d = {'k': y}\ny = d['k']",
    "s = {1.0, 2.0}",
    "y = np.sin((w := y))",
    "first, *rest = y\ny = y * first",
    "y = y * sorted(x)[0]",
    "y = y * functools.reduce(operator.add, x)",
    "ev, vecs = np.linalg.eig(np.outer(x, x))",
    "y = y * y.getfield(np.float64)",
    "y.tofile('/dev/null')",
    "y[0][0] = a",
    "STATE.a = a",
    "args = (y,)\ny = helper(*args)",
    "kw = {'v': y}\ny = helper(**kw)",
    "g = helper\ny = g(y)",
    "match n:\n    case 0:\n        y = y * 2.0\n    case _:\n        pass",
    "yield y",
    "async def inner(t):\n    return t",
    "y = np.sort(y)",
    "y = y * helper",
    "y = y * [1.0, 2.0, 3.0].index(2.0)",
    "y = y * x.flags.writeable",
    "y = y * G",
    "y = y * undefined_name",
    "y.sort()",
    "y = y * x[0].real",
    "while True:\n    try:\n        break\n    finally:\n        pass",
    "for i, t in enumerate(x):\n    y = y + t",
    "for t, u in zip(x, y):\n    y = y + t * u",
    "y = np.sum(y, axis=0, keepdims=True) * y",
    "y = np.einsum('i,i->i', y, x)",
    "assert False, 'never'",
    "y = y * x[(1, 2)]",
    "y = y * x[..., 0]",
    "y = y * x[None][0]",
    "y = [*y]",
    "x.shape = (3, 1)",
    "y = y @ y.T.conj()",
]

WRTS = [0, 1, (0, 1), "x", "a", ("a", "x")]


@st.composite
def programs(draw):
    n = draw(st.integers(1, 5))
    body = []
    for _ in range(n):
        pool = draw(st.sampled_from(["supported", "supported", "unsupported"]))
        stmts = SUPPORTED_STMTS if pool == "supported" else UNSUPPORTED_STMTS
        s = draw(st.sampled_from(stmts))
        if draw(st.integers(0, 5)) == 0:  # sometimes nest it in a branch or a loop
            head = draw(st.sampled_from(["if a > -0.5:", "for j in range(2):", "if n < 4:"]))
            s = head + "\n" + textwrap.indent(s, "    ")
        body.append(s)
    body.append("return np.sum(y * y) + a")
    src = "def f(x, a, n):\n    y = x * 1.0\n" + textwrap.indent("\n".join(body), "    ") + "\n"
    try:  # e.g. 'global G' after an assignment to G
        compile(src, "<program>", "exec")
    except SyntaxError:
        assume(False)
    return src


_TMP = tempfile.mkdtemp(prefix="srcgrad_errors_")
_CACHE = os.path.join(_TMP, "cache")
_counter = itertools.count()


def _load(src):
    path = os.path.join(_TMP, f"prog_{next(_counter)}.py")
    with open(path, "w") as fh:
        fh.write(HEADER + src)
    name = f"srcgrad_errors_prog_{os.path.basename(path)[:-3]}"
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod.f, path


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(src=programs(), wrt=st.sampled_from(WRTS),
       x=st.lists(st.floats(-1.0, 1.0), min_size=3, max_size=3),
       a=st.floats(-1.0, 1.0), n=st.integers(0, 6))
def test_random_programs_raise_only_located_or_api_errors(src, wrt, x, a, n):
    with mock.patch.dict(os.environ, {"SRCGRAD_CACHE_DIR": _CACHE}):
        check_program(src, wrt, x, a, n)


def check_program(src, wrt, x, a, n, note=note):
    note(src)
    f, path = _load(src)
    try:
        g = srcgrad.grad(f, wrt=wrt)
    except srcgrad.TransformError as err:
        nlines = len((HEADER + src).splitlines())
        assert os.path.samefile(err.filename, path), str(err)
        assert 1 <= err.lineno <= nlines, str(err)
        assert err.line.strip(), str(err)
        assert 0 <= err.col <= len(err.line), str(err)
        assert err.hint.strip(), str(err)
        return
    except srcgrad.SrcgradError as err:
        assert str(err).strip()
        return

    args = (np.array(x), a, n)
    try:
        expected = f(*args)
        original_error = None
    except Exception as exc:  # noqa: BLE001 - what the user's own code raises
        original_error = type(exc)
    note(f"original function raised {original_error}" if original_error else "it returned")
    if original_error is None and inspect.isgenerator(expected):
        raise AssertionError("srcgrad.grad accepted a generator function")
    try:
        g(*args)
    except Exception as exc:  # noqa: BLE001
        if original_error is None or not isinstance(exc, original_error):
            raise AssertionError(
                f"gradient raised {type(exc).__name__}: {exc}, but the function itself "
                f"{'raised ' + original_error.__name__ if original_error else 'returned'}"
            ) from exc


# Programs the property above found; kept as plain regression tests.
FOUND = [
    # a loop whose body is only 'pass' generated a loop with an empty body
    # (IndentationError from compiling the generated module)
    "def f(x, a, n):\n    y = x * 1.0\n    for j in range(2):\n        pass\n"
    "    return np.sum(y * y) + a\n",
]


@pytest.mark.parametrize("src", FOUND)
def test_found_programs(src, tmp_path, monkeypatch):
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(tmp_path))
    check_program(src, (0, 1), [0.1, -0.2, 0.3], 0.4, 2, note=print)


EDGE = '''import math as rt

import numpy as np


def posonly(x, /, a=2.0):
    return a * x


square = lambda v: v * v  # noqa: E731


def calls_posonly(x):
    return np.sum(posonly(x))


def calls_lambda(x):
    return np.sum(square(x))


def reads_rt(x):
    return np.sum(x * rt.pi)


def top_posonly(x, /, a=2.0):
    return np.sum(a * x)
'''


def test_positional_only_parameters_lambdas_and_a_global_rt_are_refused(tmp_path, monkeypatch):
    (tmp_path / "edge_mod.py").write_text(EDGE)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("edge_mod", None)
    import edge_mod

    x = np.array([0.3, 0.5])
    with pytest.raises(srcgrad.TransformError, match="positional-only") as info:
        srcgrad.grad(edge_mod.calls_posonly)(x)
    assert info.value.lineno == 14
    with pytest.raises(srcgrad.TransformError, match="lambda defined outside") as info:
        srcgrad.grad(edge_mod.calls_lambda)(x)
    assert info.value.lineno == 10 and "define it with def" in str(info.value)
    with pytest.raises(srcgrad.SrcgradError, match="global named 'rt'"):
        srcgrad.grad(edge_mod.reads_rt)(x)
    with pytest.raises(srcgrad.SrcgradError, match="positional-only"):
        srcgrad.grad(edge_mod.top_posonly)(x)
    sys.modules.pop("edge_mod", None)
