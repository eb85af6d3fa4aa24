"""The recorded graph against PyTorch: node names, next_functions (names, None edges, output
numbers), shared nodes, and the AccumulateGrad nodes' variables."""

import pytest

import minigrad


def _name(T, node):
    return type(node).__name__  # the same in both now (node classes are named like PyTorch's)


def structure(T, node):
    """(name, ((child structure, output number), ...)) down to the leaves."""
    if node is None:
        return None
    return (_name(T, node), tuple((structure(T, child), nr) for child, nr in node.next_functions))


def _seed_graph(T):
    x, y = T.ones(5), T.zeros(3)
    w = T.ones(5, 3, requires_grad=True)
    b = T.ones(3, requires_grad=True)
    z = T.matmul(x, w) + b
    return T.nn.functional.binary_cross_entropy_with_logits(z, y)


def _leaves(T):
    a = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
    b = T.tensor([1.5, 0.25, -0.75], requires_grad=True)
    c = T.tensor([2.0, 3.0, 4.0])
    return a, b, c


GRAPHS = {
    "seed_graph": _seed_graph,
    "times_python_number": lambda T: _leaves(T)[0] * 2,
    "number_minus_tensor": lambda T: 2 - _leaves(T)[0],
    "number_over_tensor": lambda T: 2 / _leaves(T)[0],
    "number_power_tensor": lambda T: 2 ** _leaves(T)[0],
    "tensor_power_number": lambda T: _leaves(T)[0] ** 3,
    "product_with_constant": lambda T: (lambda a, b, c: a * c)(*_leaves(T)),
    "constant_first": lambda T: (lambda a, b, c: c - a)(*_leaves(T)),
    "chain": lambda T: (lambda a, b, c: ((a * b).exp() + 1).sum())(*_leaves(T)),
    "mean_of_sigmoid_squared": lambda T: _leaves(T)[0].sigmoid().pow(2).mean(),
    "cat_with_constant": lambda T: (lambda a, b, c: T.cat([a, c, b]))(*_leaves(T)),
    "stack": lambda T: (lambda a, b, c: T.stack([c, a]))(*_leaves(T)),
    "views": lambda T: _leaves(T)[0].view(3, 1).t().unsqueeze(0).squeeze().reshape(3)[1:],
    "mse": lambda T: (lambda a, b, c: T.nn.functional.mse_loss(a, c))(*_leaves(T)),
    "mse_both": lambda T: (lambda a, b, c: T.nn.functional.mse_loss(a, b))(*_leaves(T)),
    "cross_entropy": lambda T: T.nn.functional.cross_entropy(
        T.ones(2, 3, requires_grad=True), T.tensor([0, 2])
    ),
    "bce": lambda T: T.nn.functional.binary_cross_entropy(
        _leaves(T)[0].sigmoid(), T.tensor([1.0, 0.0, 1.0])
    ),
    "relu_max_sum": lambda T: _leaves(T)[0].relu().max(),
    "max_along_dim": lambda T: _leaves(T)[0].reshape(3, 1).max(1)[0],
    "inplace_on_non_leaf": lambda T: (_leaves(T)[0] * 2).add_(1),
    "inplace_mul_by_tensor": lambda T: (lambda a, b, c: (a * 1).mul_(b))(*_leaves(T)),
    "setitem_on_non_leaf": lambda T: _setitem(T),
    "copy_into_constant": lambda T: (lambda a, b, c: c.clone().copy_(a))(*_leaves(T)),
    "clone_and_convert": lambda T: _leaves(T)[0].clone().double(),
    "index_advanced": lambda T: _leaves(T)[0][[0, 0, 2]],
    "clamp_softmax": lambda T: _leaves(T)[0].clamp(-1, 1).softmax(0),
    "matrix_product": lambda T: T.ones(2, 3, requires_grad=True) @ T.ones(3, 4),
    "matrix_vector": lambda T: T.ones(2, 3) @ T.ones(3, requires_grad=True),
    "dot": lambda T: (lambda a, b, c: a @ b)(*_leaves(T)),
    "expand_sum": lambda T: _leaves(T)[0].expand(2, 3).sum(0),
    "nll_with_weight": lambda T: T.nn.functional.nll_loss(
        T.ones(2, 3, requires_grad=True), T.tensor([0, 2]), weight=T.ones(3)
    ),
    "bce_logits_weights": lambda T: T.nn.functional.binary_cross_entropy_with_logits(
        T.ones(2, 3, requires_grad=True), T.ones(2, 3), weight=T.ones(3), pos_weight=T.ones(3)
    ),
    "linear_layer_function": lambda T: T.nn.functional.linear(
        T.ones(2, 3, requires_grad=True),
        T.ones(4, 3, requires_grad=True),
        T.ones(4, requires_grad=True),
    ),
    "linear_constant_input": lambda T: T.nn.functional.linear(
        T.ones(2, 3), T.ones(4, 3, requires_grad=True), T.ones(4, requires_grad=True)
    ),
    "linear_no_bias": lambda T: T.nn.functional.linear(
        T.ones(2, 3), T.ones(4, 3, requires_grad=True)
    ),
    "linear_vector_input": lambda T: T.nn.functional.linear(
        T.ones(3, requires_grad=True),
        T.ones(4, 3, requires_grad=True),
        T.ones(4, requires_grad=True),
    ),
    "linear_batched_input": lambda T: T.nn.functional.linear(
        T.ones(5, 2, 3, requires_grad=True), T.ones(4, 3), T.ones(4, requires_grad=True)
    ),
}

# vector @ matrix: PyTorch records unsqueeze -> mm -> squeeze and its root is SqueezeBackward4;
# minigrad records one MmBackward0 node (documented in minigrad/ops/linalg.py)
VECTOR_MATRIX_GRAPHS = {"seed_graph"}


def _without_vector_matrix_squeeze(s):
    """PyTorch's structure with each SqueezeBackward4 -> MmBackward0 pair folded into the Mm."""
    if s is None:
        return None
    name, children = s
    if name == "SqueezeBackward4" and len(children) == 1 and children[0][0][0] == "MmBackward0":
        return _without_vector_matrix_squeeze(children[0][0])
    return (name, tuple((_without_vector_matrix_squeeze(c), nr) for c, nr in children))


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_next_functions_match_pytorch(pt, name):
    mine, theirs = GRAPHS[name](minigrad), GRAPHS[name](pt)
    mine, theirs = structure(minigrad, mine.grad_fn), structure(pt, theirs.grad_fn)
    if name in VECTOR_MATRIX_GRAPHS:
        assert mine != theirs
        theirs = _without_vector_matrix_squeeze(theirs)
    assert mine == theirs


def _setitem(T):
    a, b, c = _leaves(T)
    y = a * 1
    y[0] = b[1]
    return y


def test_the_structure_helper_sees_differences(pt):
    assert structure(minigrad, GRAPHS["chain"](minigrad).grad_fn) != structure(
        pt, GRAPHS["mean_of_sigmoid_squared"](pt).grad_fn
    )


def test_tensor_used_twice_has_one_accumulate_grad_node(pt):
    for T in (minigrad, pt):
        a = T.ones(3, requires_grad=True)
        s = a + a
        (first, _), (second, _) = s.grad_fn.next_functions
        assert first is second
        assert first.variable is a
        (again, _), _ = (a * 3).grad_fn.next_functions
        assert again is first  # one AccumulateGrad per leaf, for the leaf's lifetime


def test_leaf_and_plain_tensors_have_no_grad_fn(pt):
    for T in (minigrad, pt):
        a = T.ones(2, requires_grad=True)
        assert a.grad_fn is None and a.is_leaf
        assert (T.ones(2) * 2).grad_fn is None
        with T.no_grad():
            assert (a * 2).grad_fn is None


def test_seed_graph_by_hand():
    """The seed's graph, written out: loss <- Add <- (Mm <- (None, w), b); y needs no edge target."""
    loss = _seed_graph(minigrad)
    assert structure(minigrad, loss.grad_fn) == (
        "BinaryCrossEntropyWithLogitsBackward0",
        (
            (
                (
                    "AddBackward0",
                    (
                        (("MmBackward0", ((None, 0), (("AccumulateGrad", ()), 0))), 0),
                        (("AccumulateGrad", ()), 0),
                    ),
                ),
                0,
            ),
            (None, 0),
        ),
    )
