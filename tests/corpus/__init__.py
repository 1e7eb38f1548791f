"""The srcgrad test corpus: real Python/numpy programs with inputs and ``wrt``.

Each topic module defines module-level functions and a ``CASES`` list of
:class:`Case` records (scalar-valued functions, for grad/value_and_grad);
:mod:`.vjp_cases` holds functions with non-scalar outputs (``VJP_CASES``) for
pullback tests.
"""

from . import (
    assign,
    branches,
    builtins_math,
    calls,
    indexing,
    lists,
    loops,
    methods,
    nondiff,
    numpy_more,
    numpy_ops,
    operators,
    programs,
    vjp_cases,
    writes,
)
from .case import Case

TOPIC_MODULES = [
    assign,
    operators,
    branches,
    loops,
    calls,
    builtins_math,
    indexing,
    writes,
    lists,
    methods,
    numpy_ops,
    numpy_more,
    nondiff,
    programs,
]

CASES = [case for module in TOPIC_MODULES for case in module.CASES]
VJP_CASES = list(vjp_cases.CASES)

__all__ = ["Case", "CASES", "VJP_CASES", "TOPIC_MODULES"]
