"""Unsupported statements, one per function (see errors_cases/__init__.py)."""

import numpy as np

COUNTER = 0.0


def try_except(x):
    y = np.sin(x)
    try:  # error: try
        y = y * 2.0
    except ValueError:
        y = y + 1.0
    return np.sum(y)


def with_open(x):
    y = np.sin(x)
    with open(__file__) as fh:  # error: with
        y = y * len(fh.read(1))
    return np.sum(y)


def global_stmt(x):
    global COUNTER  # error: global
    COUNTER = COUNTER + 1.0
    return np.sum(x * x)


def make_nonlocal():
    scale = 2.0

    def nonlocal_stmt(x):
        nonlocal scale  # error: nonlocal
        scale = scale + 1.0
        return np.sum(x * scale)

    return nonlocal_stmt


nonlocal_stmt = make_nonlocal()


def del_stmt(x):
    y = x * 2.0
    z = np.sin(y)
    del y  # error: del
    return np.sum(z)


def generator(x):
    y = np.sin(x)
    yield np.sum(y)  # error: yield


async def async_def(x):  # error: async
    return np.sum(x * x)


def nested_async_def(x):
    async def helper(t):  # error: async
        return t

    return np.sum(x * x)


def class_inside(x):
    class Box:  # error: class
        pass

    return np.sum(x * x)


def match_stmt(x, k):
    match k:  # error: match
        case 0:
            y = np.sin(x)
        case _:
            y = np.cos(x)
    return np.sum(y)


def import_inside(x):
    import math  # error: import
    return np.sum(x * math.pi)


def import_from_inside(x):
    from math import pi  # error: from
    return np.sum(x * pi)
