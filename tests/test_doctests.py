"""The examples in the docstrings of srcgrad's modules run and print what they say."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest
import srcgrad.transforms

import srcgrad

MODULES = sorted(
    [f"srcgrad.transforms.{m.name}" for m in pkgutil.iter_modules(srcgrad.transforms.__path__)]
    + [f"srcgrad.{m.name}" for m in pkgutil.iter_modules(srcgrad.__path__)
       if m.name not in ("transforms", "__main__")])


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module):
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed"
