"""nn.Module / Parameter / layers and optim.SGD, against hand-derived values and PyTorch."""

from collections import OrderedDict

import numpy as np
import pytest

import minigrad

F64 = minigrad.float64


def values(t):
    return t.detach().numpy()


def _model(nn):
    return nn.Sequential(
        nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2, bias=False), nn.Tanh(), nn.Sigmoid()
    )


class _TwoLayers(minigrad.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = minigrad.nn.Linear(2, 3)
        self.scale = minigrad.nn.Parameter(minigrad.tensor([2.0]))
        self.out = minigrad.nn.Sequential(minigrad.nn.Tanh(), minigrad.nn.Linear(3, 1))
        self.not_a_parameter = minigrad.ones(3)

    def forward(self, x):
        return self.out(self.hidden(x)) * self.scale


# -- Module and Parameter ---------------------------------------------------------------------
def test_parameters_and_named_parameters_in_registration_order():
    m = _TwoLayers()
    names = [n for n, _ in m.named_parameters()]
    # the module's own parameters first, then each child's (PyTorch's order)
    assert names == ["scale", "hidden.weight", "hidden.bias", "out.1.weight", "out.1.bias"]
    assert [id(p) for p in m.parameters()] == [id(p) for _, p in m.named_parameters()]
    assert all(
        isinstance(p, minigrad.nn.Parameter) and p.requires_grad and p.is_leaf
        for p in m.parameters()
    )
    assert len(list(m.parameters())) == 5


@pytest.mark.oracle
def test_parameter_order_matches_pytorch(pt):
    """PyTorch lists a module's own parameters first, then its children's, in assignment order."""

    class Theirs(pt.nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = pt.nn.Linear(2, 3)
            self.scale = pt.nn.Parameter(pt.tensor([2.0]))
            self.out = pt.nn.Sequential(pt.nn.Tanh(), pt.nn.Linear(3, 1))

    assert [n for n, _ in _TwoLayers().named_parameters()] == [
        n for n, _ in Theirs().named_parameters()
    ]
    assert [n for n, _ in _model(minigrad.nn).named_parameters()] == [
        n for n, _ in _model(pt.nn).named_parameters()
    ]
    assert list(_model(minigrad.nn).state_dict()) == list(_model(pt.nn).state_dict())


def test_shared_parameter_is_listed_once():
    layer = minigrad.nn.Linear(2, 2)
    model = minigrad.nn.Sequential(layer, minigrad.nn.ReLU(), layer)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]


def test_zero_grad_sets_to_none_or_zeros():
    m = _TwoLayers()
    m(minigrad.ones(4, 2)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(np.all(values(p.grad) == 0) for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_linear_default_initialisation_bounds_and_forward():
    minigrad.manual_seed(3)
    layer = minigrad.nn.Linear(16, 5)
    bound = 1 / np.sqrt(16)
    assert tuple(layer.weight.shape) == (5, 16) and tuple(layer.bias.shape) == (5,)
    assert np.all(np.abs(values(layer.weight)) <= bound) and np.all(
        np.abs(values(layer.bias)) <= bound
    )
    assert values(layer.weight).std() > bound / 4  # spread over the interval, not all zero
    x = np.random.default_rng(0).standard_normal((7, 16)).astype(np.float32)
    out = layer(minigrad.tensor(x))
    np.testing.assert_allclose(
        values(out), x @ values(layer.weight).T + values(layer.bias), rtol=1e-5
    )
    assert minigrad.nn.Linear(3, 2, bias=False).bias is None


def test_state_dict_and_load_state_dict():
    source, target = _TwoLayers(), _TwoLayers()
    state = source.state_dict()
    assert list(state) == [n for n, _ in source.named_parameters()]
    assert all(not v.requires_grad for v in state.values())
    target.load_state_dict(state)
    for (_, a), (_, b) in zip(source.named_parameters(), target.named_parameters()):
        np.testing.assert_array_equal(values(a), values(b))
        assert a is not b and b.requires_grad and b.is_leaf
    x = minigrad.ones(1, 2)
    np.testing.assert_array_equal(values(source(x)), values(target(x)))
    with pytest.raises(RuntimeError, match=r"Error\(s\) in loading state_dict for _TwoLayers"):
        target.load_state_dict({"scale": minigrad.ones(1)})


def _state_error(T, state):
    layer = T.nn.Linear(2, 2)
    with pytest.raises(RuntimeError) as info:
        layer.load_state_dict(state(T))
    return str(info.value)


@pytest.mark.oracle
@pytest.mark.parametrize(
    "state",
    [
        lambda T: {"weight": T.ones(2, 2)},
        lambda T: {"weight": T.ones(2, 2), "bias": T.ones(2), "extra": T.ones(1)},
        lambda T: {"weight": T.ones(3, 2), "bias": T.ones(2)},
        lambda T: {"bias": T.ones(5), "other": T.ones(1)},
    ],
    ids=["missing", "unexpected", "size_mismatch", "all_three"],
)
def test_load_state_dict_errors_match_pytorch(pt, state):
    assert _state_error(minigrad, state) == _state_error(pt, state)


def test_parameter_basics():
    p = minigrad.nn.Parameter(minigrad.tensor([1.0, 2.0]))
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    frozen = minigrad.nn.Parameter(minigrad.tensor([1.0]), requires_grad=False)
    assert not frozen.requires_grad
    (p * p).sum().backward()
    np.testing.assert_array_equal(values(p.grad), [2.0, 4.0])


@pytest.mark.oracle
def test_module_and_parameter_reprs_match_pytorch(pt):
    def build(T):
        nn = T.nn
        return [
            _model(nn),
            nn.Linear(3, 4),
            nn.Linear(2, 1, bias=False),
            nn.ReLU(),
            nn.Tanh(),
            nn.Sigmoid(),
            nn.Softmax(dim=1),
            nn.Flatten(),
            nn.MSELoss(),
            nn.BCEWithLogitsLoss(),
            nn.CrossEntropyLoss(),
            nn.NLLLoss(),
            nn.BCELoss(),
            nn.Sequential(OrderedDict([("fc", nn.Linear(1, 1)), ("act", nn.ReLU())])),
            nn.Sequential(nn.Sequential(nn.Linear(1, 1)), nn.ReLU()),
            nn.Parameter(T.tensor([1.0, 2.0])),
            nn.Parameter(T.ones(2, 2), requires_grad=False),
        ]

    for mine, theirs in zip(build(minigrad), build(pt)):
        assert repr(mine) == repr(theirs)


def test_sequential_indexing_and_activation_modules():
    relu, tanh, sigmoid = minigrad.nn.ReLU(), minigrad.nn.Tanh(), minigrad.nn.Sigmoid()
    seq = minigrad.nn.Sequential(relu, tanh, sigmoid)
    assert len(seq) == 3 and seq[1] is tanh and list(seq) == [relu, tanh, sigmoid]
    x = np.array([-1.0, 0.5, 2.0])
    np.testing.assert_allclose(
        values(seq(minigrad.tensor(x, dtype=F64))), 1 / (1 + np.exp(-np.tanh(np.maximum(x, 0))))
    )
    assert seq[1:][0] is tanh


@pytest.mark.oracle
def test_model_forward_and_backward_match_pytorch(pt):
    mine, theirs = _model(minigrad.nn), _model(pt.nn)
    with pt.no_grad():
        for (_, p), (_, q) in zip(mine.named_parameters(), theirs.named_parameters()):
            q.copy_(pt.tensor(values(p)))
    x = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    out_m, out_t = mine(minigrad.tensor(x)), theirs(pt.tensor(x))
    np.testing.assert_allclose(values(out_m), out_t.detach().numpy(), rtol=1e-6)
    assert out_m.grad_fn.name() == type(out_t.grad_fn).__name__ == "SigmoidBackward0"
    out_m.pow(2).mean().backward()
    out_t.pow(2).mean().backward()
    for (_, p), (_, q) in zip(mine.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(values(p.grad), q.grad.numpy(), rtol=1e-5, atol=1e-7)


# -- SGD --------------------------------------------------------------------------------------
def test_sgd_plain_step_by_hand():
    w = minigrad.nn.Parameter(minigrad.tensor([1.0, -2.0], dtype=F64))
    opt = minigrad.optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_allclose(values(w), [1.0 - 0.1 * 2.0, -2.0 + 0.1 * 4.0])
    assert w.is_leaf and w.requires_grad and w.grad_fn is None


def test_sgd_momentum_by_hand():
    w = minigrad.nn.Parameter(minigrad.tensor([1.0], dtype=F64))
    opt = minigrad.optim.SGD([w], lr=0.5, momentum=0.9, dampening=0.1)
    grads = []
    for _ in range(3):
        opt.zero_grad()
        (3 * w).sum().backward()  # gradient 3 every step
        grads.append(3.0)
        opt.step()
    # buf1 = 3, buf2 = 0.9*3 + 0.9*3, buf3 = 0.9*buf2 + 0.9*3
    buf1 = 3.0
    buf2 = 0.9 * buf1 + 0.9 * 3
    buf3 = 0.9 * buf2 + 0.9 * 3
    np.testing.assert_allclose(values(w), [1.0 - 0.5 * (buf1 + buf2 + buf3)])


def test_sgd_skips_parameters_without_grad_and_zero_grad():
    a = minigrad.nn.Parameter(minigrad.tensor([1.0]))
    b = minigrad.nn.Parameter(minigrad.tensor([1.0]))
    opt = minigrad.optim.SGD([a, b], lr=1.0)
    (a * 2).sum().backward()
    opt.step()
    np.testing.assert_array_equal(values(a), [-1.0])
    np.testing.assert_array_equal(values(b), [1.0])
    opt.zero_grad()
    assert a.grad is None
    (a * 2).sum().backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(values(a.grad), [0.0])


SGD_CONFIGS = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.8, nesterov=True),
    dict(lr=0.1, weight_decay=0.01),
    dict(lr=0.05, momentum=0.9, weight_decay=0.1, nesterov=True),
    dict(lr=0.1, maximize=True, momentum=0.5),
]


@pytest.mark.oracle
@pytest.mark.parametrize("config", SGD_CONFIGS, ids=[str(c) for c in SGD_CONFIGS])
def test_sgd_trajectory_matches_pytorch(pt, config):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((8, 3))
    y = rng.integers(0, 2, size=(8, 1)).astype(np.float64)

    def build(T):
        nn = T.nn
        model = nn.Sequential(
            nn.Linear(3, 4, dtype=T.float64), nn.Tanh(), nn.Linear(4, 1, dtype=T.float64)
        )
        return model, T.optim.SGD(model.parameters(), **config)

    mine, my_opt = build(minigrad)
    theirs, their_opt = build(pt)
    with pt.no_grad():
        for (_, p), (_, q) in zip(mine.named_parameters(), theirs.named_parameters()):
            q.copy_(pt.tensor(values(p)))
    for step in range(5):
        for T, model, opt in ((minigrad, mine, my_opt), (pt, theirs, their_opt)):
            opt.zero_grad()
            loss = T.nn.functional.binary_cross_entropy_with_logits(model(T.tensor(x)), T.tensor(y))
            loss.backward()
            opt.step()
        for (name, p), (_, q) in zip(mine.named_parameters(), theirs.named_parameters()):
            np.testing.assert_allclose(
                values(p),
                q.detach().numpy(),
                rtol=1e-10,
                atol=1e-12,
                err_msg=f"{name} after step {step + 1}",
            )


@pytest.mark.oracle
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(lr=-1),
        dict(lr=0.1, momentum=-1),
        dict(lr=0.1, weight_decay=-1),
        dict(lr=0.1, nesterov=True),
        dict(lr=0.1, nesterov=True, momentum=0.9, dampening=0.1),
    ],
    ids=["lr", "momentum", "weight_decay", "nesterov", "nesterov_dampening"],
)
def test_sgd_argument_errors_match_pytorch(pt, kwargs):
    def error(T, params):
        with pytest.raises(ValueError) as info:
            T.optim.SGD(params, **kwargs)
        return str(info.value)

    assert error(minigrad, [minigrad.nn.Parameter(minigrad.ones(1))]) == error(
        pt, [pt.nn.Parameter(pt.ones(1))]
    )


@pytest.mark.oracle
def test_sgd_empty_parameter_list_and_repr_match_pytorch(pt):
    for T in (minigrad, pt):
        with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
            T.optim.SGD([], lr=0.1)
    mine = minigrad.optim.SGD([minigrad.nn.Parameter(minigrad.ones(1))], lr=0.1, momentum=0.9)
    theirs = pt.optim.SGD([pt.nn.Parameter(pt.ones(1))], lr=0.1, momentum=0.9)
    assert repr(mine) == repr(theirs)
