"""The derivative-rule library: Python operators and builtins, ``math``, numpy.

>>> rules = default_rules()
>>> rules.get("numpy.tanh").vjp["x"]
'g * (1 - ans * ans)'

``default_rules()`` returns a fresh, empty :class:`RuleSet` layered over the
library, so a caller may add or override rules without touching the library.
"""

from __future__ import annotations

import functools

from srcgrad.rules import linalg_rules, math_rules, numpy_more_rules, numpy_rules, python_rules
from srcgrad.rules.registry import Rule, RuleError, RuleSet

__all__ = ["default_rules", "library", "Rule", "RuleError", "RuleSet"]


@functools.lru_cache(maxsize=None)
def library() -> RuleSet:
    """The library's rules, built once.  Do not add to it: layer a child set."""
    rules = RuleSet()
    python_rules.register(rules)
    math_rules.register(rules)
    numpy_rules.register(rules)
    numpy_more_rules.register(rules)
    linalg_rules.register(rules)
    rules.nondiff("srcgrad.stop_gradient", "stop_gradient(x)",
                  doc="the value passes, the gradient does not")
    return rules


def default_rules() -> RuleSet:
    """A new rule set over the library's rules, for the caller to extend."""
    return RuleSet(parent=library())
