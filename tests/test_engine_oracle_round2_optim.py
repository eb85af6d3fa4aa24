"""optim round 2 against PyTorch: Adam's trajectory, param_groups, add_param_group, state_dict,
zero_grad and the argument errors."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minigrad
from engine_helpers import examples, printed

pytestmark = pytest.mark.oracle

ADAM_CONFIGS = [
    dict(),
    dict(lr=0.1),
    dict(lr=0.05, betas=(0.8, 0.95), eps=1e-6),
    dict(lr=0.05, weight_decay=0.1),
    dict(lr=0.05, amsgrad=True),
    dict(lr=0.02, amsgrad=True, weight_decay=0.2, maximize=True),
    dict(lr=0.05, weight_decay=0.3, decoupled_weight_decay=True),
]


def _copy_parameters(mine, theirs, pt):
    with pt.no_grad():
        for p, q in zip(mine.parameters(), theirs.parameters()):
            q.copy_(pt.tensor(p.detach().numpy()))


def _train(T, model, opt, x, y, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss = T.nn.functional.mse_loss(model(T.tensor(x)), T.tensor(y))
        loss.backward()
        opt.step()


@pytest.mark.parametrize("config", ADAM_CONFIGS, ids=[str(c) for c in ADAM_CONFIGS])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_adam_trajectory_matches_pytorch(pt, config, dtype):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, 3)).astype(dtype)
    y = rng.standard_normal((8, 2)).astype(dtype)

    def build(T):
        nn = T.nn
        model = nn.Sequential(
            nn.Linear(3, 4, dtype=getattr(T, dtype)),
            nn.Tanh(),
            nn.Linear(4, 2, dtype=getattr(T, dtype)),
        )
        return model, T.optim.Adam(model.parameters(), **config)

    mine, my_opt = build(minigrad)
    theirs, their_opt = build(pt)
    _copy_parameters(mine, theirs, pt)
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == "float64" else dict(rtol=2e-5, atol=2e-6)
    for step in range(6):
        _train(minigrad, mine, my_opt, x, y, 1)
        _train(pt, theirs, their_opt, x, y, 1)
        for (name, p), (_, q) in zip(mine.named_parameters(), theirs.named_parameters()):
            assert p.dtype == p.grad.dtype == getattr(minigrad, dtype)
            np.testing.assert_allclose(
                p.detach().numpy(),
                q.detach().numpy(),
                **tol,
                err_msg=f"{name} after step {step + 1}",
            )
    mine_state, their_state = my_opt.state_dict(), their_opt.state_dict()
    assert mine_state["param_groups"] == their_state["param_groups"]
    assert sorted(mine_state["state"]) == sorted(their_state["state"])
    for k, theirs_k in their_state["state"].items():
        assert list(mine_state["state"][k]) == list(theirs_k)
        assert repr(mine_state["state"][k]["step"]) == repr(theirs_k["step"])  # tensor(6.)
        for key in theirs_k:
            np.testing.assert_allclose(
                mine_state["state"][k][key].numpy(), theirs_k[key].numpy(), **tol
            )


def test_adam_first_step_by_hand():
    """The first Adam step moves every coordinate by lr·sign(g) (bias correction makes
    m̂ = g and v̂ = g², so m̂/√v̂ = ±1), up to eps."""
    w = minigrad.nn.Parameter(minigrad.tensor([1.0, -2.0, 3.0], dtype=minigrad.float64))
    opt = minigrad.optim.Adam([w], lr=0.1, eps=0)
    (w * minigrad.tensor([2.0, 5.0, -0.5], dtype=minigrad.float64)).sum().backward()
    opt.step()
    np.testing.assert_allclose(w.detach().numpy(), [0.9, -2.1, 3.1], rtol=1e-14)


@settings(max_examples=examples(0.5))
@given(
    seed=st.integers(0, 2**32 - 1),
    steps=st.integers(1, 8),
    lr=st.sampled_from([1e-3, 0.01, 0.3]),
    amsgrad=st.booleans(),
    weight_decay=st.sampled_from([0, 0.05]),
)
def test_adam_matches_pytorch_on_random_problems(pt, seed, steps, lr, amsgrad, weight_decay):
    rng = np.random.default_rng(seed)
    w0, target = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    result = []
    for T in (minigrad, pt):
        w = T.nn.Parameter(T.tensor(w0))
        opt = T.optim.Adam([w], lr=lr, amsgrad=amsgrad, weight_decay=weight_decay)
        for _ in range(steps):
            opt.zero_grad()
            ((w - T.tensor(target)) ** 4).sum().backward()
            opt.step()
        result.append(w.detach().numpy())
    np.testing.assert_allclose(result[0], result[1], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_changing_lr_in_param_groups_changes_the_step(pt, name):
    def run(T):
        w = T.nn.Parameter(T.tensor([1.0, -2.0], dtype=T.float64))
        opt = getattr(T.optim, name)([w], lr=0.1)
        seen = []
        for lr in (0.1, 0.5, 0.0, 0.02):
            opt.param_groups[0]["lr"] = lr
            opt.zero_grad()
            (w**2).sum().backward()
            opt.step()
            seen.append(w.detach().numpy().copy())
        return np.array(seen), opt

    mine, my_opt = run(minigrad)
    theirs, their_opt = run(pt)
    np.testing.assert_allclose(mine, theirs, rtol=1e-12)
    np.testing.assert_array_equal(mine[2], mine[1])  # lr 0: no move
    assert repr(my_opt) == repr(their_opt)  # the group shows its new lr


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_param_groups_and_add_param_group_match_pytorch(pt, name):
    def build(T):
        a = T.nn.Parameter(T.tensor([1.0, 2.0], dtype=T.float64))
        b = T.nn.Parameter(T.tensor([3.0], dtype=T.float64))
        c = T.nn.Parameter(T.tensor([-1.0, 0.5, 2.0], dtype=T.float64))
        opt = getattr(T.optim, name)([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
        opt.add_param_group({"params": c, "lr": 0.01, "weight_decay": 0.1})
        for _ in range(3):
            opt.zero_grad()
            ((a**2).sum() + (b**3).sum() + (c * a.sum()).sum()).backward()
            opt.step()
        return opt, (a, b, c)

    my_opt, mine = build(minigrad)
    their_opt, theirs = build(pt)
    assert repr(my_opt) == repr(their_opt)
    assert len(my_opt.param_groups) == 3
    for g, h in zip(my_opt.param_groups, their_opt.param_groups):
        assert list(g) == list(h)
        assert {k: v for k, v in g.items() if k != "params"} == {
            k: v for k, v in h.items() if k != "params"
        }
    assert my_opt.param_groups[2]["params"][0] is mine[2]
    for p, q in zip(mine, theirs):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-12)
    assert my_opt.state_dict()["param_groups"] == their_opt.state_dict()["param_groups"]


def test_sgd_state_dict_and_state_match_pytorch(pt):
    def run(T):
        w = T.nn.Parameter(T.tensor([1.0, -2.0]))
        opt = T.optim.SGD([w], lr=0.1, momentum=0.9)
        (w**2).sum().backward()
        opt.step()
        return opt, w

    (mine, w), (theirs, v) = run(minigrad), run(pt)
    assert list(mine.state[w]) == list(theirs.state[v]) == ["momentum_buffer"]
    assert repr(mine.state[w]["momentum_buffer"]) == repr(theirs.state[v]["momentum_buffer"])
    assert repr(mine.state_dict()) == repr(theirs.state_dict())


def test_load_state_dict_resumes_adam():
    """A fresh optimizer loaded with another's state_dict takes the same next step."""

    def make():
        w = minigrad.nn.Parameter(minigrad.tensor([1.0, -2.0], dtype=minigrad.float64))
        return w, minigrad.optim.Adam([w], lr=0.1)

    w, opt = make()
    for _ in range(2):
        opt.zero_grad()
        (w**2).sum().backward()
        opt.step()
    w2, opt2 = make()
    w2.data.copy_(w.detach())
    opt2.load_state_dict(opt.state_dict())
    for p, o in ((w, opt), (w2, opt2)):
        o.zero_grad()
        (p**2).sum().backward()
        o.step()
    np.testing.assert_array_equal(w.detach().numpy(), w2.detach().numpy())
    assert opt2.state[w2]["step"].item() == 3.0


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_zero_grad_sets_to_none_by_default(pt, name):
    for T in (minigrad, pt):
        w = T.nn.Parameter(T.ones(2))
        opt = getattr(T.optim, name)([w], lr=0.1)
        (w * 3).sum().backward()
        opt.zero_grad(set_to_none=False)
        assert w.grad.tolist() == [0.0, 0.0]
        opt.zero_grad()
        assert w.grad is None


ADAM_ERRORS = [
    dict(lr=-1),
    dict(eps=-1),
    dict(betas=(1.0, 0.9)),
    dict(betas=(0.9, 1.0)),
    dict(betas=(-0.1, 0.9)),
    dict(weight_decay=-1),
]


@pytest.mark.parametrize("kwargs", ADAM_ERRORS, ids=[str(k) for k in ADAM_ERRORS])
def test_adam_argument_errors_match_pytorch(pt, kwargs):
    def error(T):
        with pytest.raises(ValueError) as info:
            T.optim.Adam([T.nn.Parameter(T.ones(1))], **kwargs)
        return str(info.value)

    assert error(minigrad) == error(pt)


BAD_PARAMS = {
    "tensor": lambda T, p: T.optim.Adam(p),
    "float": lambda T, p: T.optim.SGD([1.0], lr=0.1),
    "empty": lambda T, p: T.optim.Adam([]),
    "non_leaf": lambda T, p: T.optim.SGD([p * 2], lr=0.1),
    "twice": lambda T, p: T.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1),
    "group_not_dict": lambda T, p: T.optim.SGD([p], lr=0.1).add_param_group([p]),
    "group_set": lambda T, p: T.optim.SGD([p], lr=0.1).add_param_group(
        {"params": {T.nn.Parameter(T.ones(1))}}
    ),
    "group_overlap": lambda T, p: T.optim.Adam([p]).add_param_group({"params": [p]}),
}


@pytest.mark.parametrize("case", sorted(BAD_PARAMS))
def test_bad_parameters_give_pytorchs_errors(pt, case):
    def error(T):
        p = T.nn.Parameter(T.ones(2))
        with pytest.raises(Exception) as info:
            BAD_PARAMS[case](T, p)
        return type(info.value), str(info.value)

    assert error(minigrad) == error(pt)


# -- snippets a student writes: printed as PyTorch prints them (engine_helpers.printed) -----
PRINTED_SNIPPETS = {}
PRINTED_SNIPPETS["rmsprop"] = """
    import math
    x = torch.linspace(-math.pi, math.pi, 200)
    y = torch.sin(x)
    xx = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))
    for kw in ({}, {"momentum": 0.9}, {"centered": True}, {"weight_decay": 0.1, "centered": True, "momentum": 0.5}, {"maximize": True, "alpha": 0.5}):
        model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
        with torch.no_grad():
            model[0].weight.copy_(torch.tensor([[0.1, -0.05, 0.01]]))
            model[0].bias.fill_(0.0)
        loss_fn = torch.nn.MSELoss(reduction='sum')
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, **kw)
        for t in range(30):
            loss = loss_fn(model(xx), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(kw, f"{loss.item():.4g}", [f"{v:.3g}" for v in model[0].weight.flatten().tolist()])
        print(type(model[0].weight).__name__, model[0].bias.dtype, model[0].bias.shape)
        print(sorted(optimizer.state[model[0].weight].keys()), optimizer.state[model[0].weight]["step"])
    print(optimizer)
    for bad in ({"lr": -1}, {"eps": -1}, {"momentum": -1}, {"weight_decay": -1}, {"alpha": -1}):
        try:
            torch.optim.RMSprop([torch.nn.Parameter(torch.ones(1))], **bad)
        except ValueError as e:
            print("ValueError", e)
"""
PRINTED_SNIPPETS["adamw_like"] = """
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = torch.optim.Adam([w], lr=0.1, weight_decay=0.1, decoupled_weight_decay=True)
    for _ in range(3):
        opt.zero_grad()
        (w ** 2).sum().backward()
        opt.step()
    print(w)
    if hasattr(torch.optim, "AdamW"):
        v = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        opt = torch.optim.AdamW([v], lr=0.1)
        for _ in range(3):
            opt.zero_grad(); (v ** 2).sum().backward(); opt.step()
        print(v)
"""
PRINTED_SNIPPETS["sgd_maximize_dampening"] = """
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.5, dampening=0.3, maximize=True)
    for _ in range(3):
        opt.zero_grad()
        (w ** 2).sum().backward()
        opt.step()
    print(w, opt.state[w]["momentum_buffer"])
"""
PRINTED_SNIPPETS["optim_add_param_group"] = """
    a = torch.nn.Parameter(torch.ones(1)); b = torch.nn.Parameter(torch.ones(1))
    opt = torch.optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.01})
    print(len(opt.param_groups), opt.param_groups[1]["lr"], opt.param_groups[1]["betas"])
    try:
        opt.add_param_group({"params": [a]})
    except Exception as e:
        print(type(e).__name__, e)
    print(opt.state_dict()["param_groups"][1]["params"])
"""
PRINTED_SNIPPETS["closure_step"] = """
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = torch.optim.SGD([w], lr=0.1)
    def closure():
        opt.zero_grad()
        loss = (w ** 2).sum()
        loss.backward()
        return loss
    print(opt.step(closure), w)
"""


@pytest.mark.parametrize("name", sorted(PRINTED_SNIPPETS))
def test_snippet_prints_what_pytorch_prints(pt, name):
    assert printed(minigrad, PRINTED_SNIPPETS[name]) == printed(pt, PRINTED_SNIPPETS[name])
