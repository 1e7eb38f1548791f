"""The math module and builtins: abs, min, max, sum, len, range, float, int, pow."""

import math

import numpy as np

from .case import Case, away, distinct, flt, vec


def math_trig(x):
    return math.sin(x) * math.cos(x) + math.tan(x)


def math_exp_log(x):
    return math.exp(x) + math.log(x) * x


def math_sqrt_pow(x):
    return math.sqrt(x) + math.pow(x, 3) + math.pow(2.0, x)


def math_hyperbolic(x):
    return math.tanh(x) + math.sinh(x) * math.cosh(x)


def math_inverse_trig(x):
    return math.asin(x) + math.acos(x * 0.5) * math.atan(x)


def math_atan2(y, x):
    return math.atan2(y, x)


def math_hypot(x, y):
    return math.hypot(x, y) * x


def math_log_variants(x):
    return math.log1p(x) + math.expm1(x) + math.log(x, 2.0) + math.log10(x) + math.log2(x)


def math_constants(x):
    return math.pi * x * x + math.e * x + math.tau


def math_fabs(x):
    return math.fabs(x) * x


def math_erf(x):
    return math.erf(x) * x


def math_in_loop_taylor(x):
    s = 0.0
    for k in range(8):
        s = s + x**k / math.factorial(k)
    return s


def math_on_array_elements(x):
    s = 0.0
    for i in range(len(x)):
        s = s + math.exp(-x[i] * x[i]) * math.cos(x[i])
    return s


def builtin_abs(x):
    return abs(x) * 2.0 + abs(x * x - 2.0)


def builtin_abs_array(x):
    return np.sum(abs(x) ** 1.5)


def builtin_min_max(x, y):
    return max(x, y) * min(x, y) + max(x * x, 0.5) - min(y, 0.0)


def builtin_max_three(x, y, z):
    return max(x, y, z) + min(x, y, z) * 2.0


def builtin_running_max(x):
    m = x[0]
    for v in x:
        m = max(m, v)
    return m * m


def builtin_sum_list(x):
    return sum([x, x * x, x**3])


def builtin_sum_generator(x):
    return sum(v * v for v in x)


def builtin_sum_with_start(x, y):
    return sum([x * y, y], x)


def builtin_len(x):
    return np.sum(x) / len(x) + len(x) * np.sum(x * x)


def builtin_float_of_int(x, n):
    return x * float(n) + float(n) ** 2


def builtin_float_of_value(x):
    y = float(x * x)
    return y + x


def builtin_int_index(x, t):
    k = int(t * 3.0)
    return x[k] * t + x[k + 1]


def builtin_pow(x):
    return pow(x, 3) + pow(x, 0.5)


def builtin_range_len_sum(x):
    return sum([x[i] * x[len(x) - 1 - i] for i in range(len(x))])


CASES = [
    Case(math_trig, lambda rng: (flt(rng),)),
    Case(math_exp_log, lambda rng: (flt(rng, 0.5, 2.0),)),
    Case(math_sqrt_pow, lambda rng: (flt(rng, 0.5, 2.0),)),
    Case(math_hyperbolic, lambda rng: (flt(rng),)),
    Case(math_inverse_trig, lambda rng: (flt(rng, -0.8, 0.8),)),
    Case(math_atan2, lambda rng: (flt(rng), flt(rng, 0.3, 1.0)), wrt=(0, 1)),
    Case(math_hypot, lambda rng: (flt(rng, 0.2, 1.0), flt(rng, 0.2, 1.0)), wrt=(0, 1)),
    Case(math_log_variants, lambda rng: (flt(rng, 0.5, 2.0),)),
    Case(math_constants, lambda rng: (flt(rng),)),
    Case(math_fabs, lambda rng: (away(rng, ()).item(),)),
    Case(math_erf, lambda rng: (flt(rng),), autograd=False, note="no scipy for autograd's erf"),
    Case(math_in_loop_taylor, lambda rng: (flt(rng),)),
    Case(math_on_array_elements, lambda rng: (vec(rng, 5),)),
    Case(builtin_abs, lambda rng: (away(rng, ()).item(),)),
    Case(builtin_abs_array, lambda rng: (away(rng, 5),)),
    Case(builtin_min_max, lambda rng: (flt(rng, 0.2, 0.5), flt(rng, -1.0, -0.2)), wrt=(0, 1),
         tag="a"),
    Case(builtin_min_max, lambda rng: (flt(rng, 0.8, 1.0), flt(rng, 0.2, 0.6)), wrt=(0, 1),
         tag="b"),
    Case(builtin_max_three, lambda rng: tuple(float(v) for v in distinct(rng, 3)),
         wrt=(0, 1, 2)),
    Case(builtin_running_max, lambda rng: (distinct(rng, 6),)),
    Case(builtin_sum_list, lambda rng: (flt(rng),)),
    Case(builtin_sum_generator, lambda rng: (vec(rng, 5),)),
    Case(builtin_sum_with_start, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1)),
    Case(builtin_len, lambda rng: (vec(rng, 5),)),
    Case(builtin_float_of_int, lambda rng: (flt(rng), 3), wrt="x"),
    Case(builtin_float_of_value, lambda rng: (flt(rng),), autograd=False,
         note="autograd cannot float() a traced value"),
    Case(builtin_int_index, lambda rng: (vec(rng, 5), flt(rng, 1.1, 1.2)), wrt=(0, 1),
         autograd=False, note="autograd cannot int() a traced value"),
    Case(builtin_pow, lambda rng: (flt(rng, 0.5, 2.0),)),
    Case(builtin_range_len_sum, lambda rng: (vec(rng, 5),)),
]
