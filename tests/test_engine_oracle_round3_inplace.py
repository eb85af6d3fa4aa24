"""In-place ops and views (issue 16, item 1), against PyTorch 2.13 and finite differences.

Every case below changes a tensor in place somewhere in the middle of a computation: on a
non-leaf (``copy_``, ``fill_``, ``zero_``, the unary ``*_`` variants, ``mul_`` by a tensor that
requires grad), through a view of a non-leaf or of a plain tensor (``CopySlices`` on the base), or
through one view while another view of the same base is used afterwards. Each case's gradient is
checked against central finite differences of its forward (also with ``create_graph=True``, the
tensor path of every backward), and against PyTorch: the same gradients, and the same node names
on the result and on the changed base.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minigrad
from engine_helpers import check_first_derivatives, check_second_derivatives, examples, printed

pytestmark = pytest.mark.oracle


def _nonleaf(a):
    return a * 1


def _copy_into_nonleaf(T, a, b):
    y = _nonleaf(a)
    y.copy_(b * 3)  # y's old values (and history) are gone
    return y * a


def _copy_constant_into_nonleaf(T, a, b):
    y = _nonleaf(a) * b
    y.copy_(T.ones(a.shape, dtype=a.dtype))
    return y + a


def _view_of_plain_tensor(T, a, b):
    base = T.zeros(a.shape, dtype=a.dtype)
    base[1:3].add_(b[0:2])
    return base * a


def _view_of_nonleaf(T, a, b):
    y = _nonleaf(a)
    y[0:2].mul_(2)
    return y * b


def _view_of_nonleaf_by_tensor(T, a, b):
    y = _nonleaf(a)
    y[0:2].mul_(b[1:3])  # the view's old values are saved for b's gradient
    return y * y


def _transposed_view(T, a, b):
    y = _nonleaf(a)
    y.t()[0].exp_()  # a column of y, through a transpose and a select
    return y * b


def _flat_view(T, a, b):
    y = _nonleaf(a)
    y.view(-1)[1:4].tanh_()
    return y * b


def _unsqueezed_view(T, a, b):
    y = _nonleaf(a)
    y.unsqueeze(0)[0, 1].sigmoid_()
    return y + b * y


def _another_view_used_after(T, a, b):
    y = _nonleaf(a)
    first, second = y[0:2], y[1:3]
    first.mul_(b[0:2])  # changes y[1] too, which `second` sees
    return second * 3


def _view_used_after_its_own_change(T, a, b):
    y = _nonleaf(a)
    v = y[1]
    v.add_(b[0])
    return v * y[0]


def _base_changed_view_used_after(T, a, b):
    y = _nonleaf(a)
    v = y[0:2]
    y.mul_(b)  # the base itself changes: the view's history must follow
    return v * 2


def _fill_nonleaf(T, a, b):
    y = _nonleaf(a)
    y.fill_(2.5)
    return y * b


def _zero_nonleaf(T, a, b):
    y = _nonleaf(a) * b
    y.zero_()
    return y + a * b


def _fill_with_tensor(T, a, b):
    y = _nonleaf(a)
    y.fill_(b[0, 0])
    return y * a


def _fill_through_view(T, a, b):
    y = _nonleaf(a)
    y[1].fill_(b[0, 1])
    return y * b


def _mul_by_tensor(T, a, b):
    y = _nonleaf(a)
    y.mul_(b)
    return y * a


def _div_by_tensor(T, a, b):
    y = _nonleaf(a)
    y.div_(b * b + 1)
    return y


def _setitem_advanced(T, a, b):
    y = _nonleaf(a)
    y[[0, 2]] = b[0:2] * 2
    return y * b


def _unary(method, *args):
    def case(T, a, b):
        y = _nonleaf(a) * b
        getattr(y, method)(*args)
        return y * a

    case.__name__ = method
    return case


def _relu_inplace(T, a, b):
    y = _nonleaf(a) * b
    out = T.nn.functional.relu(y, inplace=True)
    assert out is y
    return y * a


CASES = [
    _copy_into_nonleaf,
    _copy_constant_into_nonleaf,
    _view_of_plain_tensor,
    _view_of_nonleaf,
    _view_of_nonleaf_by_tensor,
    _transposed_view,
    _flat_view,
    _unsqueezed_view,
    _another_view_used_after,
    _view_used_after_its_own_change,
    _base_changed_view_used_after,
    _fill_nonleaf,
    _zero_nonleaf,
    _fill_with_tensor,
    _fill_through_view,
    _mul_by_tensor,
    _div_by_tensor,
    _setitem_advanced,
    _relu_inplace,
    _unary("pow_", 2),
    _unary("pow_", 3.0),
    _unary("neg_"),
    _unary("exp_"),
    _unary("abs_"),
    _unary("relu_"),
    _unary("sigmoid_"),
    _unary("tanh_"),
]
IDS = [
    c.__name__.strip("_") + ("_" + str(i) if c.__name__ == "pow_" else "")
    for i, c in enumerate(CASES)
]


@st.composite
def two_matrices(draw):
    """Two arrays of one shape (at least 3 rows and 2 columns, for the slices above), away from
    the kinks of abs and relu."""
    rows, cols = draw(st.integers(3, 5)), draw(st.integers(2, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = rng.uniform(0.3, 1.5, (rows, cols)) * rng.choice([-1.0, 1.0], (rows, cols))
    b = rng.uniform(0.3, 1.5, (rows, cols)) * rng.choice([-1.0, 1.0], (rows, cols))
    return a, b, rng


def _run(T, case, a, b, v):
    xs = [T.tensor(x, dtype=T.float64, requires_grad=True) for x in (a, b)]
    out = case(T, *xs)
    name = type(out.grad_fn).__name__
    out.backward(T.tensor(v))
    return name, [None if x.grad is None else x.grad.numpy() for x in xs]


@pytest.mark.parametrize("case", CASES, ids=IDS)
@settings(max_examples=examples(0.5))
@given(data=two_matrices())
def test_gradient_matches_finite_differences(case, data):
    a, b, rng = data
    check_first_derivatives(case, [a, b], rng)


@pytest.mark.parametrize("case", CASES, ids=IDS)
@settings(max_examples=examples(0.3))
@given(data=two_matrices())
def test_second_derivatives_match_finite_differences(case, data):
    a, b, rng = data
    check_second_derivatives(case, [a, b], rng)


@pytest.mark.parametrize("case", CASES, ids=IDS)
@settings(max_examples=examples(0.3))
@given(data=two_matrices())
def test_gradient_and_nodes_match_pytorch(pt, case, data):
    a, b, rng = data
    with pt.no_grad():
        v = rng.standard_normal(tuple(case(pt, pt.tensor(a), pt.tensor(b)).shape))
    theirs, mine = _run(pt, case, a, b, v), _run(minigrad, case, a, b, v)
    assert mine[0] == theirs[0]
    for m, t in zip(mine[1], theirs[1]):
        assert (m is None) == (t is None)
        if m is not None:
            np.testing.assert_allclose(m, t, rtol=1e-10, atol=1e-12)


# -- what the changed tensors record ------------------------------------------------------------
def _describe_graph(T):
    """Node names and edges a student prints after in-place changes."""
    x = T.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    w = T.tensor([5.0, 6.0], requires_grad=True)
    out = []

    def node(t):
        return None if t.grad_fn is None else t.grad_fn.name()

    def edges(t):
        return [None if n is None else n.name() for n, _ in t.grad_fn.next_functions]

    y = x * 2
    y.copy_(T.zeros(4))
    out.append(("copy_", node(y), edges(y), y.requires_grad))
    base = T.zeros(4)
    v = base[1:3]
    v.add_(w)
    out.append(("plain base", node(base), edges(base), node(v), base.requires_grad, v.is_leaf))
    y = x * 1
    other = y[2:4]
    y[0:2].mul_(2)
    out.append(("non-leaf base", node(y), edges(y), node(other)))
    y = x * 1
    y.fill_(3.0)
    z = x * 1
    z.zero_()
    out.append(("fill_/zero_", node(y), edges(y), node(z), y.requires_grad, z.requires_grad))
    y = x * 1
    y.fill_(w[0])
    out.append(("fill_ tensor", node(y), edges(y)))
    y = x * 1
    y[[0, 3]] = w
    y[T.tensor([True, False, False, False])] = 0.0
    out.append(("index put", node(y), edges(y)))
    y = x * 1
    y[1] = 7.0
    out.append(("basic put", node(y), edges(y)))
    for method, args in [
        ("pow_", (2,)),
        ("neg_", ()),
        ("exp_", ()),
        ("abs_", ()),
        ("relu_", ()),
        ("sigmoid_", ()),
        ("tanh_", ()),
    ]:
        y = x * 1
        r = getattr(y, method)(*args)
        out.append((method, r is y, node(y), y._version))
    y = x * 1
    r = T.nn.functional.relu(y, inplace=True)
    out.append(("relu inplace", r is y, node(y), y._version))
    return out


def test_in_place_changes_record_pytorchs_nodes(pt):
    assert _describe_graph(minigrad) == _describe_graph(pt)


def _retained(T):
    x = T.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.mul_(3)  # retain_grad() follows y's new history
    z = y[0:2]
    z.retain_grad()
    z.exp_()  # and through a view
    (y * y + 1).sum().backward(retain_graph=True)  # z is not used: its .grad stays None
    unused = z.grad
    (z * y[1:3]).sum().backward()
    return unused, y.retains_grad, z.retains_grad, y.grad.tolist(), x.grad.tolist(), z.grad.tolist()


def test_retain_grad_survives_in_place_changes(pt):
    mine, theirs = _retained(minigrad), _retained(pt)
    assert mine[:3] == theirs[:3] == (None, True, True)
    for m, t in zip(mine[3:], theirs[3:]):
        np.testing.assert_allclose(m, t, rtol=1e-6)


# -- what stays refused, and refused cleanly ----------------------------------------------------
def _saved_then_changed(T, which):
    x = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
    if which == "exp_ then changed":
        y = (x * 1).exp_()
        y.add_(1)
        y.sum().backward()
    elif which == "result of exp saved, then exp_":
        y = x.exp()
        y.exp_()
        y.sum().backward()
    elif which == "saved by mul, then tanh_":
        y = x * 1
        z = y * y
        y.tanh_()
        z.sum().backward()
    elif which == "sigmoid_ twice":
        y = x * 1
        y.sigmoid_()
        q = y * 2
        y.sigmoid_()
        (q + y).sum().backward()
    elif which == "through a view":
        y = x * 1
        y[0:2].exp_()
        y.mul_(2)
        y.sum().backward()


@pytest.mark.parametrize(
    "which",
    [
        "exp_ then changed",
        "result of exp saved, then exp_",
        "saved by mul, then tanh_",
        "sigmoid_ twice",
        "through a view",
    ],
)
def test_a_changed_saved_value_raises_pytorchs_error(pt, which):
    with pytest.raises(RuntimeError) as theirs:
        _saved_then_changed(pt, which)
    with pytest.raises(RuntimeError) as mine:
        _saved_then_changed(minigrad, which)
    # PyTorch adds a hint about anomaly detection (see README's differences)
    expected = str(theirs.value).split(" Hint:")[0]
    assert str(mine.value).split(" Hint:")[0] == expected


def _leaf_view_change(T, how):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    if how == "slice":
        x[0:2].mul_(2)
    elif how == "view":
        x.view(3).add_(1)
    elif how == "transpose":
        x.unsqueeze(1).t().exp_()
    elif how == "setitem":
        x[0] = 5.0
    elif how == "fill_":
        x[1:].fill_(0.0)
    elif how == "leaf itself":
        x.tanh_()


@pytest.mark.parametrize("how", ["slice", "view", "transpose", "setitem", "fill_", "leaf itself"])
def test_in_place_on_a_leaf_or_its_view_is_refused_as_in_pytorch(pt, how):
    with pytest.raises(RuntimeError) as theirs:
        _leaf_view_change(pt, how)
    with pytest.raises(RuntimeError) as mine:
        _leaf_view_change(minigrad, how)
    assert str(mine.value) == str(theirs.value)


@pytest.mark.parametrize("how", ["slice", "view", "transpose", "setitem", "fill_", "leaf itself"])
def test_a_refused_in_place_change_leaves_values_and_version_as_they_were(how):
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    original = {
        "slice": lambda: x[0:2].mul_(2),
        "view": lambda: x.view(3).add_(1),
        "transpose": lambda: x.unsqueeze(1).t().exp_(),
        "setitem": lambda: x.__setitem__(0, 5.0),
        "fill_": lambda: x[1:].fill_(0.0),
        "leaf itself": lambda: x.tanh_(),
    }[how]
    with pytest.raises(RuntimeError):
        original()
    assert x.tolist() == [1.0, 2.0, 3.0] and x._version == 0 and x.grad is None and x.is_leaf


def test_a_refused_view_change_of_a_nonleaf_corrupts_nothing():
    x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    node = y.grad_fn
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        y[0].add_(minigrad.ones(3, 2))
    assert y.tolist() == [[1.0, 2.0], [3.0, 4.0]] and y._version == 0 and y.grad_fn is node


def test_no_grad_change_through_a_view_of_a_leaf_is_allowed(pt):
    def run(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        with T.no_grad():
            x[0:2].mul_(2)
        (x * x).sum().backward()
        return x.tolist(), x.grad.tolist(), x._version

    assert run(minigrad) == run(pt)


def test_del_grad(pt):
    def run(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        (x * 3).sum().backward()
        before = x.grad.tolist()
        del x.grad
        return before, x.grad

    assert run(minigrad) == run(pt)


def _no_grad_view(T, how):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    with T.no_grad():
        v = y[0:2]
        p = T.zeros(3)[0:2]
    if how == "changed with grad mode on":
        v.mul_(2)
    elif how == "plain base, operand requires grad":
        p.add_(x[0:2])
    elif how == "its base changed, then used":
        y.mul_(2)
        return v.grad_fn
    elif how == "changed under no_grad too":
        with T.no_grad():
            v.mul_(2)
        (y * y).sum().backward()
        return y.tolist(), x.grad.tolist()


@pytest.mark.parametrize(
    "how",
    [
        "changed with grad mode on",
        "plain base, operand requires grad",
        "its base changed, then used",
    ],
)
def test_a_view_made_under_no_grad_refuses_recorded_changes_as_in_pytorch(pt, how):
    with pytest.raises(RuntimeError) as theirs:
        _no_grad_view(pt, how)
    with pytest.raises(RuntimeError) as mine:
        _no_grad_view(minigrad, how)
    assert str(mine.value) == str(theirs.value)


def test_a_view_made_under_no_grad_can_change_under_no_grad(pt):
    assert _no_grad_view(minigrad, "changed under no_grad too") == _no_grad_view(
        pt, "changed under no_grad too"
    )


# -- snippets a student writes: printed as PyTorch prints them (engine_helpers.printed) -----
PRINTED_SNIPPETS = {}
PRINTED_SNIPPETS["view_inplace_chain"] = """
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x * 1
    v = y.view(2, 2)
    v[0, 0] = 100
    print(y, y.grad_fn.name(), v.grad_fn.name())
    t = v.t()
    t.mul_(2)
    print(y, y.grad_fn.name())
    (y * torch.arange(4.)).sum().backward()
    print(x.grad)
"""
PRINTED_SNIPPETS["view_of_view_version"] = """
    x = torch.zeros(4)
    a = x[1:]
    b = a[1:]
    b.add_(1)
    print(x, x._version, a._version, b._version)
    x.view(2, 2)[0].fill_(7)
    print(a, b)
"""
PRINTED_SNIPPETS["unbind_inplace_error"] = """
    x = torch.ones(2, 2, requires_grad=True)
    y = x * 1
    a, b = y.unbind(0)
    try:
        a.mul_(2)
    except RuntimeError as e:
        print("RuntimeError", e)
    c, d = y.split(1)
    try:
        c.add_(1)
    except RuntimeError as e:
        print("RuntimeError", e)
"""
PRINTED_SNIPPETS["inplace_on_leaf_view_no_grad_then_use"] = """
    w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with torch.no_grad():
        w[0] = 10
        w[1:].mul_(2)
    print(w, w._version, w.is_leaf, w.grad_fn)
    (w * w).sum().backward()
    print(w.grad)
"""
PRINTED_SNIPPETS["retain_grad_on_view_and_inplace"] = """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.mul_(3)
    y.sum().backward()
    print(y.grad, x.grad)
"""


@pytest.mark.parametrize("name", sorted(PRINTED_SNIPPETS))
def test_snippet_prints_what_pytorch_prints(pt, name):
    assert printed(minigrad, PRINTED_SNIPPETS[name]) == printed(pt, PRINTED_SNIPPETS[name])
