"""Optimise a time-stepped physical simulation: aim a projectile with drag.

A ball is launched from height ``h0`` with speed ``s`` at angle ``a`` and
flies under gravity and quadratic air drag.  The flight is simulated with a
semi-implicit Euler ``while`` loop that ``break``s as soon as the ball goes
below the ground; the landing point is then found by linear interpolation
inside the last step, which makes it a smooth function of the launch
parameters even though the number of loop iterations is not.

We look for the *cheapest* throw that lands on a target: minimise

    (landing distance - target)^2 / target^2  +  lam * (s / s_ref)^2

with ``srcgrad.value_and_grad`` differentiating through the data-dependent
loop.  Without drag the best angle would be (close to) 45 degrees; with drag
the optimiser finds a flatter throw.

Run ``python examples/optimize_simulation.py --show-source`` to see the
generated gradient code.
"""

import argparse
import math
import sys

import numpy as np

import srcgrad

GRAVITY = 9.81


def landing_distance(speed, angle, drag, h0, dt, max_steps):
    """Horizontal distance at which the ball first touches the ground."""
    vx = speed * np.cos(angle)
    vy = speed * np.sin(angle)
    x = 0.0
    y = h0
    x_prev = x
    y_prev = y
    step = 0
    while step < max_steps:
        x_prev = x
        y_prev = y
        v = np.sqrt(vx * vx + vy * vy)
        vx = vx - dt * drag * v * vx
        vy = vy - dt * (GRAVITY + drag * v * vy)
        x = x + dt * vx
        y = y + dt * vy
        step += 1
        if y < 0.0:
            break
    frac = y_prev / (y_prev - y)
    return x_prev + frac * (x - x_prev)


def objective(launch, target, drag, h0, dt, max_steps, lam, speed_ref):
    """Miss distance (relative, squared) plus a penalty on the launch speed."""
    speed = launch[0]
    angle = launch[1]
    dist = landing_distance(speed, angle, drag, h0, dt, max_steps)
    miss = (dist - target) / target
    return miss * miss + lam * (speed / speed_ref) ** 2


def make_problem(seed=0, target=40.0, drag=0.02, lam=1e-3):
    """Initial launch (speed, angle) and the rest of ``objective``'s arguments."""
    rng = np.random.default_rng(seed)
    speed_ref = math.sqrt(GRAVITY * target)  # drag-free minimum speed
    launch = np.array([rng.uniform(0.8, 1.0) * speed_ref, rng.uniform(0.3, 0.5)])
    args = (target, drag, 1.0, 0.01, 2000, lam, speed_ref)
    return launch, args


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=800, help="Adam iterations")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--target", type=float, default=40.0, help="target distance (m)")
    parser.add_argument("--drag", type=float, default=0.02, help="drag coefficient (1/m)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show-source", action="store_true",
                        help="print the generated gradient module and exit")
    opts = parser.parse_args(argv)

    if opts.show_source:
        print(srcgrad.source(objective, wrt="launch"))
        return 0

    launch, args = make_problem(opts.seed, target=opts.target, drag=opts.drag)
    target, drag, h0, dt, max_steps = args[:5]
    start = launch.copy()
    vg = srcgrad.value_and_grad(objective, wrt="launch")
    # Adam on (speed / speed_ref, angle) so both coordinates are O(1)
    scale = np.array([args[-1], 1.0])
    m = np.zeros(2)
    v = np.zeros(2)
    history = []
    for t in range(1, opts.steps + 1):
        value, g = vg(launch, *args)
        history.append(float(value))
        g = g * scale
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        step = opts.lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        launch = launch - step * scale
    final = float(objective(launch, *args))

    def describe(label, p):
        d = landing_distance(p[0], p[1], drag, h0, dt, max_steps)
        print("%-8s speed %7.3f m/s  angle %6.2f deg  lands at %7.3f m (target %.1f m)"
              % (label, p[0], math.degrees(p[1]), d, target))

    print("Projectile with drag=%.3g/m: cheapest throw that hits the target" % drag)
    describe("initial", start)
    describe("final", launch)
    print("initial loss: %.6g" % history[0])
    print("final loss: %.6g" % final)
    ok = np.isfinite(final) and final < history[0]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
