"""Error messages against PyTorch, and .grad left untouched by every failure.

Each case is a function ``(T, a, W)`` of the library and two leaves that require grad
(``a``: shape [3], ``W``: shape [2, 3]) whose ``.grad`` is set before the case runs.

How minigrad's text is compared with PyTorch's (everything else must be identical):
- broadcasting errors: minigrad appends `` (shapes [..] and [..])`` so the student sees both
  shapes; the message must START WITH PyTorch's;
- the modified-saved-tensor error: exactly, with PyTorch's closing "Hint: ..." sentence (the
  one for anomaly detection off; tests/test_engine_oracle_round2_anomaly.py checks the other);
- the non-leaf ``.grad`` warning: PyTorch adds "(Triggered internally at <C++ file>)".
Deliberate behaviour difference: when backward fails half-way, PyTorch keeps whatever it had
already added to some leaves' ``.grad``; minigrad puts every ``.grad`` back as it was
(``test_grad_is_unchanged_after_the_error``).
"""

import re
import warnings

import numpy as np
import pytest

import minigrad

EXACT, PREFIX, UNTIL_INSTEAD = "exact", "prefix", "until instead."


def freed_graph(T, a, W):
    # W's branch (no saved tensors) runs before the exp node that finds its saved output freed;
    # the first pass goes through autograd.grad, which frees the graph without touching .grad
    loss = a.exp().sum() + (W + 1).sum()
    T.autograd.grad(loss, [a, W])
    loss.backward()


def freed_graph_via_grad(T, a, W):
    y = (a * a).sum()
    T.autograd.grad(y, a)
    T.autograd.grad(y, a)


def implicit_gradient_of_non_scalar(T, a, W):
    (W * a).backward()


def backward_without_grad(T, a, W):
    (a.detach() * 2).sum().backward()


def backward_on_plain_tensor(T, a, W):
    T.ones(3).sum().backward()


def inplace_on_leaf(T, a, W):
    a.add_(1)


def inplace_mul_on_leaf(T, a, W):
    W.mul_(2)


def inplace_setitem_on_leaf(T, a, W):
    W[0, 0] = 5.0  # "a view of a leaf Variable ..."


def inplace_setitem_all_of_leaf(T, a, W):
    W[:, 0:5] = 5.0  # selects the whole tensor: "a leaf Variable ..."


def inplace_setitem_mask_on_leaf(T, a, W):
    W[W > 0] = 5.0


def inplace_zero_on_leaf(T, a, W):
    a.zero_()


def matmul(shape_a, shape_b):
    def case(T, a, W):
        return T.ones(shape_a, requires_grad=True) @ T.ones(shape_b)

    case.__name__ = f"matmul_{'x'.join(map(str, shape_a))}_by_{'x'.join(map(str, shape_b))}"
    return case


def matmul_with_leaf(T, a, W):
    return W @ T.ones(4, 5)


def matmul_function_with_leaf(T, a, W):
    return T.matmul(a, W)


def mm_with_leaf(T, a, W):
    return T.mm(W, W)


def broadcast_add(T, a, W):
    return W + T.ones(4)


def broadcast_mul(T, a, W):
    return W * T.ones(3, 2)


def broadcast_sub_vectors(T, a, W):
    return a - T.ones(2)


def broadcast_div_3d(T, a, W):
    return W / T.ones(4, 2, 4)


def wrong_gradient_shape(T, a, W):
    (a * 2).backward(T.ones(4))


def wrong_gradient_shape_matrix(T, a, W):
    (W * 2).backward(T.ones(3, 2))


def modified_saved_output(T, a, W):
    y = a.exp()  # exp saves its output
    y.add_(1)
    y.sum().backward()


def modified_saved_input(T, a, W):
    y = a * 1
    z = y * y  # mul saves its inputs
    y.add_(1)
    z.sum().backward()


def modified_saved_after_other_branch_ran(T, a, W):
    y = a * 1
    z_sum = (y * y).sum()
    w_sum = (W + 1).sum()  # newer: runs (and reaches W) before the mul node fails
    y.mul_(3)
    (z_sum + w_sum).backward()


def modified_saved_leaf_input(T, a, W):
    x = T.ones(3)
    z = a * x
    x.add_(1)
    z.sum().backward()


def modified_saved_sigmoid_output(T, a, W):
    y = W.sigmoid()
    y.mul_(2)
    y.sum().backward()


def view_of_non_contiguous(T, a, W):
    return W.t().view(6)


def bad_reshape(T, a, W):
    return W.reshape(4)


def bad_view_with_inferred_size(T, a, W):
    return W.view(-1, 4)


def two_inferred_sizes(T, a, W):
    return W.view(-1, -1)


def cat_size_mismatch(T, a, W):
    return T.cat([W, T.ones(2, 4)])


def cat_size_mismatch_dim1(T, a, W):
    return T.cat([W, T.ones(3, 3)], dim=1)


def cat_dims_mismatch(T, a, W):
    return T.cat([W, a])


def cat_empty(T, a, W):
    return T.cat([])


def stack_empty(T, a, W):
    return T.stack([])


def stack_size_mismatch(T, a, W):
    return T.stack([W, T.ones(3, 2)])


def stack_three(T, a, W):
    return T.stack([a, a, T.ones(4)])


def index_out_of_range(T, a, W):
    return W[5]


def index_out_of_range_second_dim(T, a, W):
    return W[0, 7]


def index_out_of_range_negative(T, a, W):
    return a[-4]


def advanced_index_out_of_range(T, a, W):
    return W[[0, 5]]


def item_of_many(T, a, W):
    return W.item()


def numpy_of_requires_grad(T, a, W):
    return a.numpy()


def requires_grad_int_tensor(T, a, W):
    return T.tensor([1, 2], requires_grad=True)


def requires_grad_int_method(T, a, W):
    return T.tensor([1, 2]).requires_grad_()


def requires_grad_int_ones(T, a, W):
    return T.ones(2, dtype=T.int64, requires_grad=True)


def requires_grad_int_arange(T, a, W):
    return T.arange(3, requires_grad=True)


def requires_grad_int_attribute(T, a, W):
    x = T.tensor([1, 2])
    x.requires_grad = True


def requires_grad_false_on_non_leaf(T, a, W):
    (a * 2).requires_grad_(False)


def requires_grad_attribute_true_on_non_leaf(T, a, W):
    (a * 2).requires_grad = True


def requires_grad_attribute_false_on_non_leaf(T, a, W):
    (a * 2).requires_grad = False


def retain_grad_without_grad(T, a, W):
    T.ones(2).retain_grad()


def hook_without_grad(T, a, W):
    T.ones(2).register_hook(lambda g: g)


def grad_of_unused_input(T, a, W):
    T.autograd.grad((a * 2).sum(), [a, W])


def grad_of_input_without_grad(T, a, W):
    T.autograd.grad((a * 2).sum(), [T.ones(2)])


def dim_out_of_range(T, a, W):
    return W.sum(2)


def expand_mismatch(T, a, W):
    return W.expand(4, 3)


def permute_duplicates(T, a, W):
    return W.permute(0, 0)


def t_of_3d(T, a, W):
    return W.reshape(1, 2, 3).t()


def ambiguous_bool(T, a, W):
    return bool(a)


def clamp_without_bounds(T, a, W):
    return a.clamp()


def ragged_list(T, a, W):
    return T.tensor([[1, 2], [3]])


def mean_of_int(T, a, W):
    return T.tensor([1, 2]).mean()


def assign_grad_of_wrong_size(T, a, W):
    a.grad = T.ones(4)


def bce_input_out_of_range(T, a, W):
    return T.nn.functional.binary_cross_entropy(T.tensor([1.5]), T.tensor([1.0]))


def bce_with_logits_size_mismatch(T, a, W):
    return T.nn.functional.binary_cross_entropy_with_logits(a, T.ones(4))


def nll_target_out_of_bounds(T, a, W):
    return T.nn.functional.nll_loss(W, T.tensor([0, 5]))


def len_of_0d(T, a, W):
    return len(T.tensor(1.0))


CASES = [
    (freed_graph, EXACT),
    (freed_graph_via_grad, EXACT),
    (implicit_gradient_of_non_scalar, EXACT),
    (backward_without_grad, EXACT),
    (backward_on_plain_tensor, EXACT),
    (inplace_on_leaf, EXACT),
    (inplace_mul_on_leaf, EXACT),
    (inplace_setitem_on_leaf, EXACT),
    (inplace_setitem_all_of_leaf, EXACT),
    (inplace_setitem_mask_on_leaf, EXACT),
    (inplace_zero_on_leaf, EXACT),
    (matmul((2, 3), (4, 5)), EXACT),
    (matmul((2, 3), (4,)), EXACT),
    (matmul((3,), (4, 5)), EXACT),
    (matmul((3,), (4,)), EXACT),
    (matmul((2, 2, 3), (2, 4, 5)), EXACT),
    (matmul((2, 2, 3), (4, 5)), EXACT),
    (matmul((5, 3), (2, 4, 2)), EXACT),
    (matmul((2, 2, 3), (3, 3, 5)), PREFIX),
    (matmul((3,), ()), EXACT),
    (matmul((4, 2), (2, 4, 2)), EXACT),
    (matmul((2, 4, 2), (3,)), EXACT),
    (matmul_with_leaf, EXACT),
    (matmul_function_with_leaf, EXACT),
    (mm_with_leaf, EXACT),
    (broadcast_add, PREFIX),
    (broadcast_mul, PREFIX),
    (broadcast_sub_vectors, PREFIX),
    (broadcast_div_3d, PREFIX),
    (wrong_gradient_shape, EXACT),
    (wrong_gradient_shape_matrix, EXACT),
    (modified_saved_output, UNTIL_INSTEAD),
    (modified_saved_input, UNTIL_INSTEAD),
    (modified_saved_after_other_branch_ran, UNTIL_INSTEAD),
    (modified_saved_leaf_input, UNTIL_INSTEAD),
    (modified_saved_sigmoid_output, UNTIL_INSTEAD),
    (view_of_non_contiguous, EXACT),
    (bad_reshape, EXACT),
    (bad_view_with_inferred_size, EXACT),
    (two_inferred_sizes, EXACT),
    (cat_size_mismatch, EXACT),
    (cat_size_mismatch_dim1, EXACT),
    (cat_dims_mismatch, EXACT),
    (cat_empty, EXACT),
    (stack_empty, EXACT),
    (stack_size_mismatch, EXACT),
    (stack_three, EXACT),
    (index_out_of_range, EXACT),
    (index_out_of_range_second_dim, EXACT),
    (index_out_of_range_negative, EXACT),
    (advanced_index_out_of_range, EXACT),
    (item_of_many, EXACT),
    (numpy_of_requires_grad, EXACT),
    (requires_grad_int_tensor, EXACT),
    (requires_grad_int_method, EXACT),
    (requires_grad_int_ones, EXACT),
    (requires_grad_int_arange, EXACT),
    (requires_grad_int_attribute, EXACT),
    (requires_grad_false_on_non_leaf, EXACT),
    (requires_grad_attribute_true_on_non_leaf, EXACT),
    (requires_grad_attribute_false_on_non_leaf, EXACT),
    (retain_grad_without_grad, EXACT),
    (hook_without_grad, EXACT),
    (grad_of_unused_input, EXACT),
    (grad_of_input_without_grad, EXACT),
    (dim_out_of_range, EXACT),
    (expand_mismatch, EXACT),
    (permute_duplicates, EXACT),
    (t_of_3d, EXACT),
    (ambiguous_bool, EXACT),
    (clamp_without_bounds, EXACT),
    (ragged_list, EXACT),
    (mean_of_int, EXACT),
    (assign_grad_of_wrong_size, EXACT),
    (bce_input_out_of_range, EXACT),
    (bce_with_logits_size_mismatch, EXACT),
    (nll_target_out_of_bounds, EXACT),
    (len_of_0d, EXACT),
]
IDS = [case.__name__ for case, _ in CASES]

A_VALUES = np.array([0.5, -1.0, 2.0], dtype=np.float32)
W_VALUES = np.array([[1.0, 2.0, -3.0], [0.25, -0.5, 4.0]], dtype=np.float32)
A_GRAD = np.array([10.0, 20.0, 30.0], dtype=np.float32)
W_GRAD = np.full((2, 3), 7.0, dtype=np.float32)


def _leaves(T):
    a = T.tensor(A_VALUES, requires_grad=True)
    W = T.tensor(W_VALUES, requires_grad=True)
    a.grad = T.tensor(A_GRAD)
    W.grad = T.tensor(W_GRAD)
    return a, W


def _raise(T, case):
    a, W = _leaves(T)
    with pytest.raises(Exception) as info:
        case(T, a, W)
    return info.value, a, W


def _compare(mine, theirs, how):
    if how == EXACT:
        assert mine == theirs
    elif how == PREFIX:
        assert mine.startswith(theirs)
        assert re.fullmatch(r" \(shapes \[[\d, ]*\] and \[[\d, ]*\]\)", mine[len(theirs) :])
    else:
        cut = theirs.index("instead.") + len("instead.")
        assert theirs[cut:].startswith(" Hint: enable anomaly detection")
        assert mine == theirs


@pytest.mark.oracle
@pytest.mark.parametrize("case, how", CASES, ids=IDS)
def test_error_matches_pytorch(pt, case, how):
    theirs, _, _ = _raise(pt, case)
    mine, _, _ = _raise(minigrad, case)
    assert type(mine).__name__ == type(theirs).__name__
    assert isinstance(mine, _builtin_base(type(theirs)))  # a student's `except` catches both
    _compare(str(mine), str(theirs), how)


def _builtin_base(kind):
    """The first built-in exception class PyTorch's exception derives from."""
    return next(c for c in kind.__mro__ if c.__module__ == "builtins")


def _outcome(f):
    try:
        f()
    except Exception as error:  # noqa: BLE001  (any exception: its type and text are compared)
        return type(error).__name__, str(error)
    return "no error", ""


@pytest.mark.oracle
def test_matmul_shape_errors_match_pytorch_for_every_arrangement(pt):
    """All pairs of shapes (1-D to 4-D, batch sizes 0, 1 and more) and each requires_grad
    combination: PyTorch's message depends on how it dispatches, and minigrad must follow."""
    shapes = [
        (3,),
        (4,),
        (2, 3),
        (5, 3),
        (4, 2),
        (1, 3),
        (0, 3),
        (2, 4, 2),
        (2, 2, 3),
        (3, 3, 5),
        (1, 4, 5),
        (1, 5, 2),
        (2, 0, 3),
        (2, 1, 2, 3),
        (7, 2, 4, 5),
        (1, 1, 4, 5),
    ]
    checked = 0
    for shape_a in shapes:
        for shape_b in shapes:
            for grad_a in (False, True):
                for grad_b in (False, True):

                    def run(T):
                        return _outcome(
                            lambda: (
                                T.ones(shape_a, requires_grad=grad_a)
                                @ T.ones(shape_b, requires_grad=grad_b)
                            )
                        )

                    (their_type, theirs), (my_type, mine) = run(pt), run(minigrad)
                    where = (shape_a, shape_b, grad_a, grad_b)
                    assert my_type == their_type, where
                    if theirs.startswith("The size of tensor a"):
                        assert mine.startswith(theirs), where
                    else:
                        assert mine == theirs, where
                    checked += their_type != "no error"
    assert checked > 300


@pytest.mark.parametrize("case, how", CASES, ids=IDS)
def test_grad_is_unchanged_after_the_error(case, how):
    _, a, W = _raise(minigrad, case)
    np.testing.assert_array_equal(a.grad.numpy(), A_GRAD)
    np.testing.assert_array_equal(W.grad.numpy(), W_GRAD)
    # failed in-place ops on leaves did not write either
    np.testing.assert_array_equal(a.detach().numpy(), A_VALUES)
    np.testing.assert_array_equal(W.detach().numpy(), W_VALUES)


@pytest.mark.parametrize("preset", [None, "values"])
def test_half_run_backward_restores_grads(preset):
    """The failure comes after W's AccumulateGrad ran: W.grad must be put back (or stay None)."""
    a = minigrad.tensor(A_VALUES, requires_grad=True)
    W = minigrad.tensor(W_VALUES, requires_grad=True)
    if preset:
        W.grad = minigrad.tensor(W_GRAD)
        grad_object = W.grad
    with pytest.raises(RuntimeError):
        modified_saved_after_other_branch_ran(minigrad, a, W)
    if preset:
        assert W.grad is grad_object
        np.testing.assert_array_equal(W.grad.numpy(), W_GRAD)
    else:
        assert W.grad is None
    assert a.grad is None


def test_the_half_run_really_reached_w_before_failing():
    """Guards the test above: with the trace API, W's AccumulateGrad comes before the failure."""
    a = minigrad.tensor(A_VALUES, requires_grad=True)
    W = minigrad.tensor(W_VALUES, requires_grad=True)
    y = a * 1
    z_sum = (y * y).sum()
    w_sum = (W + 1).sum()
    y.mul_(3)
    seen = []
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        for step in minigrad.autograd.backward_steps(z_sum + w_sum):
            seen.append(step.node.name())
            if step.leaf is W:
                np.testing.assert_array_equal(W.grad.numpy(), np.ones((2, 3)))
    assert "torch::autograd::AccumulateGrad" in seen
    assert W.grad is None


def _warning_text(T, build):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build(T)
    return [(w.category.__name__, str(w.message)) for w in caught]


def _non_leaf_grad(T):
    a = T.ones(3, requires_grad=True)
    y = a * 2
    assert y.grad is None


@pytest.mark.oracle
def test_non_leaf_grad_warning_matches_pytorch(pt):
    ((their_kind, theirs),) = _warning_text(pt, _non_leaf_grad)
    ((my_kind, mine),) = _warning_text(minigrad, _non_leaf_grad)
    assert my_kind == their_kind == "UserWarning"
    # PyTorch appends where in its C++ sources the warning was raised
    assert re.fullmatch(re.escape(mine) + r" \(Triggered internally at .*\)", theirs)


def test_non_leaf_grad_warning_not_given_after_retain_grad_or_for_leaves():
    a = minigrad.ones(3, requires_grad=True)
    y = a * 2
    y.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad is None and a.grad is None


@pytest.mark.oracle
def test_mse_size_mismatch_warning_matches_pytorch(pt):
    def build(T):
        T.nn.functional.mse_loss(T.ones(3), T.ones(2, 3))

    assert _warning_text(minigrad, build) == _warning_text(pt, build)
