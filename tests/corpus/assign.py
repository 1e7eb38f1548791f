"""Assignments: chained, tuple unpacking, swaps, augmented assignment."""

import numpy as np

from .case import Case, flt, pos, vec


def chained_scalar(x):
    a = b = x * 2.0
    return a * b + a


def chained_three(x, y):
    a = b = c = x * y
    a = a + 1.0
    return a * b * c + c


def chained_array(x):
    u = v = np.sin(x)
    return np.sum(u * v) + np.sum(u)


def chained_then_rebind(x):
    a = b = np.exp(x)
    b = b * a
    a = a - 1.0
    return np.sum(a * b)


def tuple_unpack(x, y):
    a, b = x * y, x + y
    return a * b


def tuple_unpack_call(x):
    s, c = np.sin(x), np.cos(x)
    return s * c + s


def nested_unpack(x, y):
    (a, b), c = (x, y * 2.0), x * y
    return a * b + c * a


def unpack_rows(M):
    a, b = M
    return np.sum(a * b) + np.sum(a)


def _moments(v):
    m = np.mean(v)
    d = v - m
    return m, np.mean(d * d)


def unpack_helper_result(x):
    m, var = _moments(x)
    return m * var + var


def unpack_list(x):
    p, q, r = [x, x * x, x * x * x]
    return p + q * r


def starred_unpack(x):
    head, *tail = [x, x * 2.0, x * x]
    return head * sum(tail)


def swap_simple(x, y):
    a, b = x, y * 3.0
    a, b = b, a
    return a * 2.0 + b * b


def swap_arrays(x, y):
    a, b = x, y
    a, b = b, a * 2.0
    return np.sum(a * np.cos(b))


def swap_in_loop(x, y):
    a, b = x, y
    for _ in range(5):
        a, b = b, a + b * 0.5
    return a * b


def rotate_three(x, y, z):
    a, b, c = x, y, z
    a, b, c = b, c, a
    return a * 1.0 + b * 2.0 + c * 3.0 + a * c


def aug_add_scalar(x):
    s = 0.0
    s += x
    s += x * x
    return s


def aug_sub_mul_div(x, y):
    a = x
    a -= y
    a *= x
    a /= y
    return a


def aug_pow_int(x):
    a = x + 1.0
    a **= 3
    return a


def aug_pow_param(x, p):
    a = x * 1.0
    a **= p
    return a


def aug_param_float(x):
    x *= 2.0
    x += x * x
    x -= 0.5
    return x


def aug_array_ops(x, y):
    z = x * 1.0
    z += y
    z *= x
    z -= y * y
    return np.sum(z)


def aug_array_div_pow(x, y):
    z = np.exp(x)
    z /= 1.0 + y * y
    z **= 2
    return np.sum(z)


def aug_scalar_into_array(x, s):
    z = x * 1.0
    z += s
    z *= s
    return np.sum(z * z)


def aug_broadcast(M, r):
    Z = M * 1.0
    Z += r
    Z *= r[None, :]
    return np.sum(np.tanh(Z))


def aug_matmul(A, B):
    C = A @ B
    C @= B
    return np.sum(C * C)


def aug_matmul_vector(A, v):
    w = v * 1.0
    for _ in range(3):
        w @= A
    return np.sum(w)


def aug_in_loop(x):
    acc = 1.0
    for i in range(1, 5):
        acc *= x + i
        acc /= i
    return acc


def aug_accumulate_array_sum(x):
    s = 0.0
    for k in range(1, 4):
        s += np.sum(x**k) / k
    return s


def aug_all_operators(x, y):
    a = x + 2.0
    a += y
    a -= 0.25 * x
    a *= y
    a /= x + 3.0
    a **= 2
    return a


def alias_rebind_float(x):
    a = b = x
    a += 1.0
    return a * b


def selfref_plus_scaled_row(W):
    # the cotangent of W passes to W itself and, unchanged, to W * sin(W[0]);
    # the two must not share an array that one of them then adds into
    W = np.tanh(W)
    W = W + W * np.sin(W[0])
    return np.sum(np.sin(W)) + np.sum(np.sin(W))


CASES = [
    Case(chained_scalar, lambda rng: (flt(rng),)),
    Case(chained_three, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1)),
    Case(chained_array, lambda rng: (vec(rng, 5),)),
    Case(chained_then_rebind, lambda rng: (vec(rng, 4),)),
    Case(tuple_unpack, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1)),
    Case(tuple_unpack_call, lambda rng: (flt(rng),)),
    Case(nested_unpack, lambda rng: (flt(rng), flt(rng)), wrt=("x", "y")),
    Case(unpack_rows, lambda rng: (vec(rng, (2, 4)),)),
    Case(unpack_helper_result, lambda rng: (vec(rng, 6),)),
    Case(unpack_list, lambda rng: (flt(rng),)),
    Case(starred_unpack, lambda rng: (flt(rng),)),
    Case(swap_simple, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1)),
    Case(swap_arrays, lambda rng: (vec(rng, 3), vec(rng, 3)), wrt=(0, 1)),
    Case(swap_in_loop, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1)),
    Case(rotate_three, lambda rng: (flt(rng), flt(rng), flt(rng)), wrt=(0, 1, 2)),
    Case(aug_add_scalar, lambda rng: (flt(rng),)),
    Case(aug_sub_mul_div, lambda rng: (flt(rng), flt(rng, 0.5, 1.5)), wrt=(0, 1)),
    Case(aug_pow_int, lambda rng: (flt(rng),)),
    Case(aug_pow_param, lambda rng: (flt(rng, 0.5, 2.0), flt(rng, 0.5, 2.5)), wrt=(0, 1)),
    Case(aug_param_float, lambda rng: (flt(rng),)),
    Case(aug_array_ops, lambda rng: (vec(rng, 5), vec(rng, 5)), wrt=(0, 1)),
    Case(aug_array_div_pow, lambda rng: (vec(rng, 5), vec(rng, 5)), wrt=(0, 1)),
    Case(aug_scalar_into_array, lambda rng: (vec(rng, 4), flt(rng)), wrt=(0, 1)),
    Case(aug_broadcast, lambda rng: (vec(rng, (3, 4)), vec(rng, 4)), wrt=(0, 1)),
    Case(aug_matmul, lambda rng: (vec(rng, (3, 3)), vec(rng, (3, 3))), wrt=(0, 1)),
    Case(aug_matmul_vector, lambda rng: (vec(rng, (3, 3)), vec(rng, 3)), wrt=(0, 1)),
    Case(aug_in_loop, lambda rng: (flt(rng),)),
    Case(aug_accumulate_array_sum, lambda rng: (vec(rng, 5),)),
    Case(aug_all_operators, lambda rng: (pos(rng, ()).item(), flt(rng)), wrt=(0, 1)),
    Case(alias_rebind_float, lambda rng: (flt(rng),)),
    Case(selfref_plus_scaled_row, lambda rng: (vec(rng, (2, 3)),)),
]
