"""Shared graphs for the widget tests (no tests here). Each graph can be built twice with identical
values: one copy for the widget, one for the real ``backward()`` it is compared with."""

import numpy as np

import minigrad
from minigrad.autograd import backward_steps

# the seed tutorial's printed values (w, b), so the numbers match the lesson
SEED_W = np.array(
    [
        [1.2457, 2.2194, 0.1104],
        [0.1583, 1.2008, -0.3096],
        [0.4335, 0.6922, -0.3115],
        [0.0470, -0.9832, 0.2616],
        [0.0829, 0.3779, -1.0898],
    ],
    dtype=np.float32,
)
SEED_B = np.array([0.5424, 1.3166, 0.1436], dtype=np.float32)


def seed_graph():
    """x, y, w, b, z, loss of the tutorial's first cells."""
    x = minigrad.ones(5)
    y = minigrad.zeros(3)
    w = minigrad.tensor(SEED_W, requires_grad=True)
    b = minigrad.tensor(SEED_B, requires_grad=True)
    z = minigrad.matmul(x, w) + b
    loss = minigrad.nn.functional.binary_cross_entropy_with_logits(z, y)
    return dict(x=x, y=y, w=w, b=b, z=z, loss=loss)


def q_graph():
    """Q = 3a³ - b², backward needs gradient=ones (the tutorial's vector example)."""
    a = minigrad.tensor([2.0, 3.0], requires_grad=True)
    b = minigrad.tensor([6.0, 4.0], requires_grad=True)
    Q = 3 * a**3 - b**2
    return dict(a=a, b=b, Q=Q)


def twice_graph():
    a = minigrad.tensor([1.0, -2.0, 3.0], requires_grad=True)
    s = (a + a).sum()
    return dict(a=a, s=s)


def mlp_graph():
    minigrad.manual_seed(0)
    model = minigrad.nn.Sequential(
        minigrad.nn.Linear(4, 5), minigrad.nn.ReLU(), minigrad.nn.Linear(5, 2)
    )
    inputs = minigrad.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4))
    target = minigrad.tensor(np.array([[0.5, -0.5]] * 3, dtype=np.float32))
    loss = minigrad.nn.functional.mse_loss(model(inputs), target)
    return dict(model=model, inputs=inputs, target=target, loss=loss)


def chain_graph(n_ops=99):
    """A long chain: about ``n_ops + 1`` backward steps (the benchmark's 100-node graph)."""
    x = minigrad.tensor([0.5, -0.25, 1.0], requires_grad=True)
    h = x
    for i in range(n_ops - 1):
        h = (h * 1.01) if i % 2 == 0 else h.tanh()
    return dict(x=x, loss=h.sum())


def real_steps(root, gradient=None):
    """What ``root.backward(gradient)`` really does, step by step (it writes ``.grad``)."""
    return list(backward_steps(root, gradient))


def arr(t):
    return None if t is None else np.asarray(t.data)
