"""The chain rule shown for each backward step equals what the engine computed, for every op.

For every case of the op registry (tests/engine_cases.py: hypothesis shapes, broadcasting,
reductions, dims), the graph is stepped through with the engine's own ``backward_steps`` (a dry
run) and each step explained: the product of the incoming gradient and each input's local
derivative, summed back to the input's shape, must equal the gradient the engine sent along that
edge; an ``AccumulateGrad`` step's ``before + arriving`` must equal its ``after``; the
contributions summed into a node must add up to what arrived.
"""

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad
from minigrad.autograd import backward_steps
from minigrad.autograd.chain_rule import RULES, Local, explain, locals_of
from engine_cases import CASES
from engine_helpers import leaves

NAMES = sorted(CASES)


def steps_of(root, gradient=None):
    return list(backward_steps(root, gradient, retain_graph=True, accumulate=False))


def check_every_step(steps):
    """Explain every step; return the set of rules met (so tests can say what they covered)."""
    rules = set()
    for k, step in enumerate(steps):
        e = explain(steps, k)
        if not e.hooked and isinstance(e.incoming, tuple):  # a node with several outputs
            assert len(e.summed) == len(e.incoming)
            for summed, incoming in zip(e.summed, e.incoming):
                assert (summed is None) == (incoming is None)
                if summed is not None:
                    np.testing.assert_allclose(summed, incoming, rtol=1e-6, atol=1e-9)
        elif not e.hooked and e.summed is not None:
            np.testing.assert_allclose(e.summed, e.incoming, rtol=1e-6, atol=1e-9)
        if step.leaf is not None:
            before = 0 if e.before is None else e.before
            np.testing.assert_allclose(before + e.incoming, e.after, rtol=1e-6, atol=1e-9)
            continue
        if step.node.builtin:
            assert locals_of(step.node) is not None, (
                f"{step.node.name()} describes no local derivative"
            )
        for edge in e.edges:
            assert edge.local is not None, f"{step.node.name()} edge {edge.index} has no Local"
            rules.add(edge.local.rule)
            if edge.local.rule in ("route", "given"):
                assert edge.computed is None
                continue
            assert edge.computed is not None
            assert edge.computed.shape == edge.sent.shape, (step.node.name(), edge.index)
            np.testing.assert_allclose(
                edge.computed,
                edge.sent,
                rtol=1e-7,
                atol=1e-9,
                err_msg=f"{step.node.name()} edge {edge.index}",
            )
            assert edge.agrees
    return rules


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_shown_product_equals_the_engines_gradient(name, data, seed):
    case = data.draw(CASES[name][0], label="case")
    xs = leaves(case.arrays)
    out = case.fn(minigrad, *xs)
    v = minigrad.tensor(np.random.default_rng(seed).standard_normal(out.shape))
    check_every_step(steps_of(out, v))
    check_every_step(steps_of((out * v).sum()))  # and with a scalar root, through a sum


def test_a_tensor_used_twice_lists_each_contribution():
    a = minigrad.tensor(2.0, requires_grad=True)
    out = a * a + a
    steps = steps_of(out)
    check_every_step(steps)
    acc = [k for k, s in enumerate(steps) if s.leaf is a][0]
    e = explain(steps, acc)
    values = sorted(float(c.value) for c in e.contributions)
    assert values == [1.0, 2.0, 2.0]  # d(a*a)/da arrives twice (b = a, a = b), d(+ a)/da once
    assert float(e.summed) == 5.0 == float(e.after)


def test_mul_by_hand_numbers():
    """The warm-up graph of lesson 3: every product is the one written on the board."""
    a = minigrad.tensor(2.0, requires_grad=True)
    b = minigrad.tensor(-3.0, requires_grad=True)
    c = minigrad.tensor(10.0, requires_grad=True)
    f = minigrad.tensor(-2.0, requires_grad=True)
    e = a * b
    d = e + c
    L = d * f
    steps = steps_of(L)
    first = explain(steps, 0)  # L = d * f
    by_child = {edge.child: edge for edge in first.edges}
    assert float(by_child[d.grad_fn].computed) == -2.0  # dL/dd = f
    assert float(by_child[f._gradient_node()].computed) == 4.0  # dL/df = d = -6 + 10
    mul = [k for k, s in enumerate(steps) if s.node is e.grad_fn][0]
    edges = explain(steps, mul).edges
    assert [float(x.local.value) for x in edges] == [-3.0, 2.0]  # de/da = b, de/db = a
    assert [float(x.computed) for x in edges] == [6.0, -4.0]
    L.backward()
    assert (a.grad.item(), b.grad.item()) == (6.0, -4.0)


def test_broadcasting_is_summed_back_and_says_over_which_dims():
    x = minigrad.ones(2, 3, requires_grad=True)
    b = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    steps = steps_of((x * b).sum())
    check_every_step(steps)
    mul = [k for k, s in enumerate(steps) if s.node.name() == "MulBackward0"][0]
    to_b = [edge for edge in explain(steps, mul).edges if edge.index == 1][0]
    assert to_b.product.shape == (2, 3) and to_b.summed_axes == (0,)
    np.testing.assert_array_equal(to_b.computed, [2.0, 2.0, 2.0])


def test_a_custom_function_has_no_local_but_is_still_explained():
    class Cube(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a**3

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return grad * 3 * a**2

    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    steps = steps_of(Cube.apply(x).sum())
    k = [k for k, s in enumerate(steps) if s.node.name() == "CubeBackward"][0]
    e = explain(steps, k)
    assert locals_of(steps[k].node) is None
    assert e.edges[0].local is None and e.edges[0].computed is None
    np.testing.assert_array_equal(e.edges[0].sent, [3.0, 12.0])


def test_a_hook_that_changes_the_gradient_is_noticed():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g * 10)
    steps = steps_of(y.sum())
    k = [k for k, s in enumerate(steps) if s.node is y.grad_fn][0]
    e = explain(steps, k)
    assert e.hooked
    np.testing.assert_array_equal(e.summed, [1.0, 1.0])
    np.testing.assert_array_equal(e.incoming, [10.0, 10.0])
    check_every_step(steps)


def test_a_double_backward_graph_is_explained_too():
    x = minigrad.tensor([0.5, -1.0], dtype=minigrad.float64, requires_grad=True)
    (g,) = minigrad.autograd.grad(x.tanh().sum(), x, create_graph=True)
    steps = steps_of(g.sum())
    assert any(s.node.name() == "TanhBackwardBackward0" for s in steps)
    check_every_step(steps)


def test_every_rule_is_described_and_unknown_rules_are_refused():
    assert set(RULES) >= {
        "×",
        "g@v",
        "v@g",
        "g⊗v",
        "v⊗g",
        "gJ",
        "reshape",
        "permute",
        "route",
        "given",
    }
    with pytest.raises(ValueError):
        Local("x", 1, rule="÷")
