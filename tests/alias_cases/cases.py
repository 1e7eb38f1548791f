"""In-place writes and names that share memory: refused where a live alias changes."""

import numpy as np

# -- refused: the write changes another name that is read afterwards --------------


def view_read_after_write(x, w):
    y = x[1:]
    x[1] = w  # error: x[1] = w
    return np.sum(y * 2.0)


def plain_alias_written(x, w):
    y = x
    y[0] = w  # error: y[0] = w
    return np.sum(x * y)


def transpose_view(M, w):
    T = M.T
    M[0, 1] = w  # error: M[0, 1] = w
    return np.sum(T * T)


def reshape_view(x, w):
    flat = x.reshape(-1)
    x[0, 0] = w  # error: x[0, 0] = w
    return np.sum(flat * flat)


def augmented_through_view(x):
    row = x[0]
    row += 1.0  # error: row += 1.0
    return np.sum(x * x)


def list_holds_the_array(x, w):
    xs = []
    y = x * 1.0
    xs.append(y)
    y[0] = w  # error: y[0] = w
    return np.sum(xs[0])


# -- accepted: the alias is dead, or there is no alias ---------------------------


def view_read_before_write(x, w):
    y = x[1:]
    s = np.sum(y * y)
    x[1] = w
    return s + np.sum(x * x)


def copy_then_write(x, w):
    y = x.copy()
    y[0] = w
    return np.sum(x * y)


def rebound_each_iteration(f, steps):
    n = f.shape[0]
    u = np.zeros(n)
    for _ in range(steps):
        new = np.zeros(n)
        for i in range(n):
            left = u[i - 1] if i > 0 else 0.0
            new[i] = 0.5 * (left + f[i])
        u = new
    return np.sum(u**2)


def float_alias_augmented(x):
    a = b = x
    a += 1.0
    return a * b


def stencil_in_place(u0, r):
    u = u0.copy()
    for _ in range(3):
        lap = u[2:] - 2.0 * u[1:-1] + u[:-2]
        u[1:-1] = u[1:-1] + r * lap
    return np.sum(u * u)
