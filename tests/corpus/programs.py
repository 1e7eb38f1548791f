"""Realistic small programs: ODE integrators, an RNN, a stencil solver, Newton
iterations, particle systems, ML losses, root/min searches, simulations."""

import math

import numpy as np

from .case import Case, flt, pos, vec

# ---------------------------------------------------------------- ODEs


def euler_decay(k, y0):
    y = y0
    dt = 0.05
    t = 0.0
    for _ in range(30):
        y = y + dt * (-k * y + math.sin(t))
        t += dt
    return y


def _lotka_volterra(z, theta):
    a, b, c, d = theta[0], theta[1], theta[2], theta[3]
    x, y = z[0], z[1]
    return np.array([a * x - b * x * y, d * x * y - c * y])


def rk4_lotka_volterra(theta, z0):
    z = z0
    h = 0.1
    for _ in range(20):
        k1 = _lotka_volterra(z, theta)
        k2 = _lotka_volterra(z + 0.5 * h * k1, theta)
        k3 = _lotka_volterra(z + 0.5 * h * k2, theta)
        k4 = _lotka_volterra(z + h * k3, theta)
        z = z + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return np.sum(z**2)


def rk4_pendulum(length, theta0):
    def rhs(s):
        return np.array([s[1], -9.81 / length * np.sin(s[0]) - 0.1 * s[1]])

    s = np.array([theta0, 0.0])
    dt = 0.05
    for _ in range(40):
        k1 = rhs(s)
        k2 = rhs(s + dt / 2 * k1)
        k3 = rhs(s + dt / 2 * k2)
        k4 = rhs(s + dt * k3)
        s = s + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return s[0] ** 2 + s[1] ** 2


def euler_trajectory_loss(k, y0, target):
    y = y0
    ys = []
    for _ in range(25):
        y = y + 0.04 * (-k * y * y * y + 1.0)
        ys.append(y)
    traj = np.array(ys)
    return np.mean((traj - target) ** 2)


# ---------------------------------------------------------------- RNN / ML


def rnn_unrolled(W, U, xs, h0):
    h = h0
    for x in xs:
        h = np.tanh(W @ h + U @ x)
    return np.sum(h**2)


def rnn_with_outputs(W, U, V, xs):
    h = np.zeros(W.shape[0])
    loss = 0.0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
        y = V @ h
        loss = loss + np.sum((y - 0.1 * t) ** 2)
    return loss


def logistic_regression_loss(w, b, X, y):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1.0 - p)) + 0.01 * np.sum(w * w)


def softmax_cross_entropy(W, X, labels):
    logits = X @ W
    logits = logits - np.max(logits, axis=1, keepdims=True)
    logp = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    n = X.shape[0]
    return -np.sum(logp[np.arange(n), labels]) / n


def mlp_loss(W1, b1, W2, b2, X, Y):
    H = np.tanh(X @ W1 + b1)
    out = H @ W2 + b2
    return np.mean((out - Y) ** 2)


def attention(Q, K, V):
    S = Q @ K.T / np.sqrt(Q.shape[1])
    S = S - np.max(S, axis=1, keepdims=True)
    A = np.exp(S)
    A = A / np.sum(A, axis=1, keepdims=True)
    return np.sum((A @ V) ** 2)


def gradient_descent_inner(p, x0):
    x = x0
    lr = 0.1
    for _ in range(15):
        g = 2.0 * (x - p) + 0.3 * np.cos(x)
        x = x - lr * g
    return np.sum((x - 1.0) ** 2)


def ridge_regression(lam, X, y):
    A = X.T @ X + lam * np.eye(X.shape[1])
    w = np.linalg.solve(A, X.T @ y)
    return np.sum((X @ w - y) ** 2) + lam * np.sum(w * w)


# ---------------------------------------------------------------- stencils


def heat_equation_inplace(u0, alpha):
    u = u0.copy()
    for _ in range(20):
        u[1:-1] = u[1:-1] + alpha * (u[2:] - 2.0 * u[1:-1] + u[:-2])
    return np.sum(u**2)


def heat_equation_functional(u0, alpha):
    u = u0
    for _ in range(20):
        lap = u[2:] - 2.0 * u[1:-1] + u[:-2]
        u = np.concatenate([u[:1], u[1:-1] + alpha * lap, u[-1:]])
    return np.sum(u**2)


def heat_equation_2d(u0, kappa):
    u = u0
    for _ in range(10):
        interior = u[1:-1, 1:-1] + kappa * (
            u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2] - 4.0 * u[1:-1, 1:-1]
        )
        v = np.zeros_like(u)
        v[1:-1, 1:-1] = interior
        u = v
    return np.sum(u**2)


def jacobi_poisson(f, steps):
    n = f.shape[0]
    u = np.zeros(n)
    h2 = 1.0 / (n + 1) ** 2
    for _ in range(steps):
        new = np.zeros(n)
        for i in range(n):
            left = u[i - 1] if i > 0 else 0.0
            right = u[i + 1] if i < n - 1 else 0.0
            new[i] = 0.5 * (left + right + h2 * f[i])
        u = new
    return np.sum(u**2)


def wave_equation_leapfrog(u0, c):
    prev = u0
    cur = u0
    for _ in range(15):
        lap = np.roll(cur, 1) - 2.0 * cur + np.roll(cur, -1)
        prev, cur = cur, 2.0 * cur - prev + c * c * lap
    return np.sum(cur**2)


# ---------------------------------------------------------------- iterations


def newton_sqrt(a):
    x = a
    while abs(x * x - a) > 1e-10:
        x = 0.5 * (x + a / x)
    return x * 3.0


def newton_implicit(p):
    # solve x = exp(-p x) for x and return x**2 (dx/dp by differentiating the loop)
    x = 0.5
    it = 0
    while it < 50:
        fx = x - math.exp(-p * x)
        if abs(fx) < 1e-12:
            break
        dfx = 1.0 + p * math.exp(-p * x)
        x = x - fx / dfx
        it += 1
    return x * x


def newton_cubic_vector(c):
    x = np.ones_like(c)
    for _ in range(30):
        x = x - (x**3 + x - c) / (3.0 * x**2 + 1.0)
    return np.sum(x**2)


def fixed_point_while(a):
    x = 0.0
    delta = 1.0
    while delta > 1e-9:
        x_new = np.cos(a * x)
        delta = abs(x_new - x)
        x = x_new
    return x


def bisection_then_newton(c):
    lo, hi = 0.0, 3.0
    for _ in range(12):
        mid = 0.5 * (lo + hi)
        if mid**3 - c > 0:
            hi = mid
        else:
            lo = mid
    x = 0.5 * (lo + hi)
    for _ in range(4):
        x = x - (x**3 - c) / (3.0 * x**2)
    return x


def grid_min_parabolic(p):
    grid = np.linspace(-2.0, 2.0, 21)
    best = 0
    best_val = (grid[0] - p) ** 2 + 0.1 * grid[0] ** 4
    for i in range(1, len(grid)):
        val = (grid[i] - p) ** 2 + 0.1 * grid[i] ** 4
        if val < best_val:
            best_val = val
            best = i
    x0, x1, x2 = grid[best - 1], grid[best], grid[best + 1]
    f0 = (x0 - p) ** 2 + 0.1 * x0**4
    f1 = (x1 - p) ** 2 + 0.1 * x1**4
    f2 = (x2 - p) ** 2 + 0.1 * x2**4
    h = x1 - x0
    return x1 - 0.5 * h * (f2 - f0) / (f2 - 2.0 * f1 + f0)


def power_iteration(A):
    S = A @ A.T
    v = np.ones(S.shape[0])
    for _ in range(30):
        w = S @ v
        v = w / np.sqrt(np.sum(w * w))
    return v @ S @ v


# ---------------------------------------------------------------- particles / physics


def pair_energy(pos):
    n = pos.shape[0]
    e = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            d = pos[i] - pos[j]
            r2 = np.sum(d * d)
            e = e + 1.0 / r2**3 - 1.0 / np.sqrt(r2)
    return e


def particle_system(pos0, vel0, k):
    pos = pos0
    vel = vel0
    n = pos.shape[0]
    dt = 0.02
    for _ in range(10):
        forces = []
        for i in range(n):
            f = -k * pos[i]
            for j in range(n):
                if j != i:
                    d = pos[i] - pos[j]
                    f = f + d / (np.sum(d * d) + 0.5) ** 2
            forces.append(f)
        F = np.stack(forces)
        vel = vel + dt * F
        pos = pos + dt * vel
    return np.sum(pos**2) + 0.5 * np.sum(vel**2)


def particle_system_inplace(pos0, vel0):
    pos = pos0.copy()
    vel = vel0.copy()
    n = pos.shape[0]
    for _ in range(8):
        F = np.zeros_like(pos)
        for i in range(n):
            for j in range(i + 1, n):
                d = pos[i] - pos[j]
                f = d / (np.sum(d * d) + 0.3) ** 1.5
                F[i] += f
                F[j] -= f
        vel += 0.02 * F
        pos += 0.02 * vel
    return np.sum(pos[:, 0] * pos[:, 1]) + np.sum(vel**2)


def damped_spring(k, c, x0):
    x = x0
    v = 0.0
    dt = 0.05
    energy = 0.0
    for _ in range(40):
        a = -k * x - c * v
        v = v + dt * a
        x = x + dt * v
        energy = energy + 0.5 * v * v + 0.5 * k * x * x
    return energy * dt


def bouncing_ball(h0, restitution):
    y = h0
    v = 0.0
    dt = 0.01
    for _ in range(50):
        v = v - 9.81 * dt
        y = y + v * dt
        if y < 0.0:
            y = -y
            v = -restitution * v
    return y + 0.1 * v


# ---------------------------------------------------------------- misc numerics


def horner(coeffs, x):
    acc = 0.0
    for c in reversed(coeffs):
        acc = acc * x + c
    return acc


def horner_array_points(coeffs, xs):
    acc = np.zeros_like(xs)
    for i in range(len(coeffs) - 1, -1, -1):
        acc = acc * xs + coeffs[i]
    return np.sum(acc**2)


def cumulative_product_loop(x):
    p = 1.0
    out = []
    for v in x:
        p = p * v
        out.append(p)
    return sum(out)


def trapezoid_integral(a, b):
    n = 20
    h = (b - a) / n
    s = 0.5 * (math.exp(-a * a) + math.exp(-b * b))
    for i in range(1, n):
        t = a + i * h
        s += math.exp(-t * t)
    return s * h


def exponential_moving_average(x, beta):
    m = 0.0
    out = 0.0
    for t in range(len(x)):
        m = beta * m + (1.0 - beta) * x[t]
        out += m * m
    return out


def kalman_filter_1d(obs, q, r):
    mean = 0.0
    var = 1.0
    nll = 0.0
    for z in obs:
        var = var + q
        s = var + r
        nll = nll + 0.5 * (math.log(s) + (z - mean) ** 2 / s)
        gain = var / s
        mean = mean + gain * (z - mean)
        var = (1.0 - gain) * var
    return nll


def gauss_seidel_inplace(b, omega):
    n = b.shape[0]
    A = np.eye(n) * 4.0 + np.eye(n, k=1) + np.eye(n, k=-1)
    x = np.zeros(n)
    for _ in range(10):
        for i in range(n):
            s = b[i] - A[i] @ x + A[i, i] * x[i]
            x[i] = (1.0 - omega) * x[i] + omega * s / A[i, i]
    return np.sum(x * x)


CASES = [
    Case(euler_decay, lambda rng: (flt(rng, 0.5, 2.0), flt(rng)), wrt=(0, 1)),
    Case(rk4_lotka_volterra, lambda rng: (pos(rng, 4, 0.5, 1.0), pos(rng, 2, 0.5, 1.5)),
         wrt=(0, 1)),
    Case(rk4_pendulum, lambda rng: (flt(rng, 0.8, 1.5), flt(rng, 0.2, 1.0)), wrt=(0, 1)),
    Case(euler_trajectory_loss, lambda rng: (flt(rng, 0.5, 1.5), flt(rng, 0.0, 0.5),
                                             vec(rng, 25)), wrt=(0, 1, 2)),
    Case(rnn_unrolled, lambda rng: (0.5 * vec(rng, (3, 3)), vec(rng, (3, 2)), vec(rng, (6, 2)),
                                    vec(rng, 3)), wrt=(0, 1, 2, 3)),
    Case(rnn_with_outputs, lambda rng: (0.5 * vec(rng, (3, 3)), vec(rng, (3, 2)),
                                        vec(rng, (2, 3)), vec(rng, (5, 2))), wrt=(0, 1, 2)),
    Case(logistic_regression_loss, lambda rng: (vec(rng, 3), flt(rng), vec(rng, (8, 3)),
                                                rng.integers(0, 2, 8)), wrt=(0, 1)),
    Case(softmax_cross_entropy, lambda rng: (vec(rng, (3, 4)), vec(rng, (6, 3)),
                                             rng.integers(0, 4, 6)), wrt=(0, 1)),
    Case(mlp_loss, lambda rng: (vec(rng, (3, 4)), vec(rng, 4), vec(rng, (4, 2)), vec(rng, 2),
                                vec(rng, (5, 3)), vec(rng, (5, 2))), wrt=(0, 1, 2, 3)),
    Case(attention, lambda rng: (vec(rng, (3, 4)), vec(rng, (5, 4)), vec(rng, (5, 2))),
         wrt=(0, 1, 2)),
    Case(gradient_descent_inner, lambda rng: (vec(rng, 3), vec(rng, 3)), wrt=(0, 1)),
    Case(ridge_regression, lambda rng: (flt(rng, 0.1, 1.0), vec(rng, (6, 3)), vec(rng, 6)),
         wrt=(0, 1, 2)),
    Case(heat_equation_inplace, lambda rng: (vec(rng, 10), flt(rng, 0.1, 0.4)), wrt=(0, 1),
         autograd=False, note="in-place slice write u[1:-1] = ..."),
    Case(heat_equation_functional, lambda rng: (vec(rng, 10), flt(rng, 0.1, 0.4)), wrt=(0, 1)),
    Case(heat_equation_2d, lambda rng: (vec(rng, (5, 6)), flt(rng, 0.05, 0.2)), wrt=(0, 1),
         autograd=False, note="in-place slice write into np.zeros_like"),
    Case(jacobi_poisson, lambda rng: (vec(rng, 6), 15), wrt="f", autograd=False,
         note="in-place element writes"),
    Case(wave_equation_leapfrog, lambda rng: (vec(rng, 8), flt(rng, 0.2, 0.5)), wrt=(0, 1)),
    Case(newton_sqrt, lambda rng: (flt(rng, 0.5, 4.0),)),
    Case(newton_implicit, lambda rng: (flt(rng, 0.5, 2.0),)),
    Case(newton_cubic_vector, lambda rng: (vec(rng, 4, -2.0, 2.0),)),
    Case(fixed_point_while, lambda rng: (flt(rng, 0.3, 0.9),)),
    Case(bisection_then_newton, lambda rng: (flt(rng, 1.0, 8.0),)),
    Case(grid_min_parabolic,
         lambda rng: (float(0.2 * rng.integers(-4, 4)) + flt(rng, 0.05, 0.15),)),
    Case(power_iteration, lambda rng: (vec(rng, (3, 3)),)),
    Case(pair_energy, lambda rng: (np.array([[0.0, 0.0], [1.1, 0.1], [0.2, 1.2], [1.3, 1.0]])
                                   + vec(rng, (4, 2), -0.05, 0.05),)),
    Case(particle_system, lambda rng: (vec(rng, (3, 2)), vec(rng, (3, 2), -0.2, 0.2),
                                       flt(rng, 0.5, 1.5)), wrt=(0, 1, 2)),
    Case(particle_system_inplace, lambda rng: (vec(rng, (4, 2)), vec(rng, (4, 2), -0.2, 0.2)),
         wrt=(0, 1), autograd=False, note="in-place augmented writes F[i] += f, vel += ..."),
    Case(damped_spring, lambda rng: (flt(rng, 1.0, 4.0), flt(rng, 0.1, 0.5), flt(rng, 0.5, 1.5)),
         wrt=(0, 1, 2)),
    Case(bouncing_ball, lambda rng: (flt(rng, 0.7, 0.75), flt(rng, 0.6, 0.9)), wrt=(0, 1)),
    Case(horner, lambda rng: (vec(rng, 5), flt(rng)), wrt=(0, 1)),
    Case(horner_array_points, lambda rng: (vec(rng, 4), vec(rng, 5)), wrt=(0, 1)),
    Case(cumulative_product_loop, lambda rng: (vec(rng, 6, 0.5, 1.5),)),
    Case(trapezoid_integral, lambda rng: (flt(rng, -1.0, 0.0), flt(rng, 0.5, 1.5)), wrt=(0, 1)),
    Case(exponential_moving_average, lambda rng: (vec(rng, 8), flt(rng, 0.5, 0.9)), wrt=(0, 1)),
    Case(kalman_filter_1d, lambda rng: (vec(rng, 8), flt(rng, 0.05, 0.3), flt(rng, 0.2, 0.6)),
         wrt=(0, 1, 2)),
    Case(gauss_seidel_inplace, lambda rng: (vec(rng, 5), flt(rng, 0.8, 1.2)), wrt=(0, 1),
         autograd=False, note="in-place element writes"),
]
