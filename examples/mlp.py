"""A two-layer perceptron fitted to a sine curve: the model file of docs/cli.md.

Its gradient lives in ``mlp_grad.py`` beside it, written by the srcgrad
command and committed like any other code::

    srcgrad examples/mlp.py loss --wrt W1,b1,W2,b2

srcgrad reads this file without running it; ``tests/test_cli.py`` checks
that ``mlp_grad.py`` is what the command writes today.  Run this file to
train the network with plain gradient descent on the generated gradient.
"""

import numpy as np

WEIGHT_DECAY = 1e-4


def hidden(W1, b1, x):
    """The hidden layer, tanh(x W1 + b1), for a batch ``x`` of shape (n, 1)."""
    return np.tanh(x @ W1 + b1)


def loss(W1, b1, W2, b2, x, y):
    """Mean squared error of the network on (x, y), plus weight decay."""
    h = hidden(W1, b1, x)
    err = h @ W2 + b2 - y
    decay = WEIGHT_DECAY * (np.sum(W1 * W1) + np.sum(W2 * W2))
    return np.mean(err * err) + decay


if __name__ == "__main__":
    import argparse

    from mlp_grad import loss_vjp

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    steps = parser.parse_args().steps
    rng = np.random.default_rng(0)
    x = np.linspace(-3.0, 3.0, 64)[:, None]
    y = np.sin(x)
    params = [rng.normal(0, 1, (1, 16)), np.zeros(16), rng.normal(0, 0.3, (16, 1)), np.zeros(1)]
    print(f"initial loss: {loss(*params, x, y):.6f}")
    for _ in range(steps):
        value, grads = loss_vjp(*params, x, y)
        params = [p - 0.1 * g for p, g in zip(params, grads)]
    print(f"final loss: {loss(*params, x, y):.6f}")
