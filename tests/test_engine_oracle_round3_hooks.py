"""Hooks, custom Functions, grad modes and messages (issue 16, item 2; issue 12's custom-Function
and hook bullets), against PyTorch 2.13.

Each scenario runs under PyTorch and under minigrad and returns what a student would print (values
as lists, node names, flags, the order hooks fired in); errors must have PyTorch's type and text.
Gradients through custom Functions are also checked against finite differences.
"""

import inspect

import numpy as np
import pytest

import minigrad
from engine_helpers import finite_differences, printed

pytestmark = pytest.mark.oracle


def _same(pt, scenario, *args):
    """scenario(T, ...) gives the same result, or the same error, under both libraries."""
    try:
        theirs = ("ok", scenario(pt, *args))
    except Exception as error:  # noqa: BLE001 - the error itself is what is compared
        theirs = ("error", type(error).__name__, str(error))
    try:
        mine = ("ok", scenario(minigrad, *args))
    except Exception as error:  # noqa: BLE001
        mine = ("error", type(error).__name__, str(error))
    assert mine == theirs
    return mine


def _rounded(t):
    return None if t is None else np.round(np.asarray(t.tolist(), dtype=float), 6).tolist()


# -- hooks ------------------------------------------------------------------------------------------
def _post_hook_replaces(T, returned):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    w = T.tensor([3.0, 4.0], requires_grad=True)
    y = x * w
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: returned(T, grad_inputs))
    y.sum().backward()
    return _rounded(x.grad), _rounded(w.grad)


@pytest.mark.parametrize(
    "returned",
    [
        lambda T, gi: (gi[0] * 10, gi[1]),  # both replaced
        lambda T, gi: (None, gi[1] * 0),  # None keeps the node's own gradient
        lambda T, gi: None,  # nothing returned: unchanged
        lambda T, gi: (gi[0],),  # the wrong number of values
        lambda T, gi: (T.ones(3), gi[1]),  # the wrong size
    ],
    ids=["replaced", "one_kept", "unchanged", "too_few", "wrong_size"],
)
def test_a_nodes_post_hook_return_value_replaces_its_gradients(pt, returned):
    _same(pt, _post_hook_replaces, returned)


def _leaf_node_hooks(T, under_grad):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    fired = []
    y = x * 2
    acc = y.grad_fn.next_functions[0][0]
    acc.register_prehook(lambda grad_outputs: fired.append(("pre", _rounded(grad_outputs[0]))))
    acc.register_hook(
        lambda grad_inputs, grad_outputs: fired.append(
            ("post", len(grad_inputs), _rounded(grad_outputs[0]), _rounded(x.grad))
        )
    )
    x.register_post_accumulate_grad_hook(lambda t: fired.append(("accumulated", _rounded(t.grad))))
    x.register_hook(lambda g: fired.append(("tensor", _rounded(g))))
    if under_grad:
        grads = T.autograd.grad(y.sum(), x)
        return fired, _rounded(grads[0]), x.grad
    y.sum().backward()
    return fired, _rounded(x.grad), acc.name(), x.grad_fn


@pytest.mark.parametrize("under_grad", [False, True], ids=["backward", "autograd_grad"])
def test_hooks_on_a_leafs_accumulate_grad_node_fire(pt, under_grad):
    result = _same(pt, _leaf_node_hooks, under_grad)
    if not under_grad:
        assert [f[0] for f in result[1][0]] == ["tensor", "pre", "accumulated", "post"]


def _leaf_pre_hook_replaces(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.grad_fn.next_functions[0][0].register_prehook(lambda grad_outputs: (grad_outputs[0] * 3,))
    y.sum().backward()
    return _rounded(x.grad)


def test_a_pre_hook_on_a_leafs_node_replaces_the_gradient(pt):
    _same(pt, _leaf_pre_hook_replaces)


def _post_accumulate(T, case):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    if case == "changes grad":

        def step(t):
            t.grad.mul_(10)

        x.register_post_accumulate_grad_hook(step)
    elif case == "returns a value":
        x.register_post_accumulate_grad_hook(lambda t: 5)
    elif case == "removed":
        handle = x.register_post_accumulate_grad_hook(lambda t: t.grad.mul_(10))
        handle.remove()
    elif case == "non-leaf":
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)
    elif case == "no grad":
        T.ones(2).register_post_accumulate_grad_hook(lambda t: None)
    (x * 2).sum().backward()
    return _rounded(x.grad)


@pytest.mark.parametrize(
    "case", ["changes grad", "returns a value", "removed", "non-leaf", "no grad"]
)
def test_register_post_accumulate_grad_hook(pt, case):
    _same(pt, _post_accumulate, case)


def _wrong_hook(T, where, what):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2

    def my_hook(g):
        return {
            "size": T.ones(2, dtype=g.dtype),
            "type": g.double() if g.dtype == T.float32 else g.float(),
            "not a tensor": 3,
        }[what]

    (x if where == "leaf" else y).register_hook(my_hook)
    y.sum().backward()


@pytest.mark.parametrize("where", ["leaf", "non-leaf"])
@pytest.mark.parametrize("what", ["size", "type", "not a tensor"])
def test_a_tensor_hook_returning_a_wrong_value_raises_pytorchs_error(pt, where, what):
    assert _same(pt, _wrong_hook, where, what)[0] == "error"


def test_a_failed_hook_leaves_grad_as_it_was():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * 3).sum().backward()
    x.register_hook(lambda g: minigrad.ones(2))
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        (x * 2).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 3.0] and x._version == 0


# -- retained gradients and backward(inputs=...) -------------------------------------------------
def _retained_by_grad(T, wanted):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    w = y * 3
    w.retain_grad()
    z = (w * w).sum()
    inputs = {"x": x, "y": y}[wanted]
    g = T.autograd.grad(z, inputs, retain_graph=True)
    T.autograd.grad(z, inputs)  # a second call adds to the retained .grad, as backward would
    return _rounded(g[0]), _rounded(y.grad), _rounded(w.grad), x.grad


@pytest.mark.parametrize("wanted", ["x", "y"])
def test_autograd_grad_fills_retained_grads(pt, wanted):
    _same(pt, _retained_by_grad, wanted)


def _backward_inputs(T, inputs):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = (y * y).sum()
    chosen = [{"x": x, "y": y}[name] for name in inputs]
    z.backward(inputs=chosen, retain_graph=True)
    if chosen:
        z.backward(inputs=chosen)
    return y.retains_grad, _rounded(y.grad) if y.retains_grad else None, _rounded(x.grad)


@pytest.mark.parametrize("inputs", [[], ["y"], ["x"], ["x", "y"]], ids=["empty", "y", "x", "x_y"])
def test_backward_inputs(pt, inputs):
    _same(pt, _backward_inputs, inputs)


# -- custom Functions -------------------------------------------------------------------------------
def _functions(T):
    class Scale(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, c):
            ctx.k = k
            ctx.seen = ctx.needs_input_grad
            return x * k * c

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None, None, None, None  # extra trailing Nones are accepted

    class TooMany(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, None, g  # a value past the inputs: refused

    class GradForANumber(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * 2, g

    class Double(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class Square(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @T.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x

    class Split(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            index = x.argmax()
            ctx.mark_non_differentiable(index)
            return x * 2, x * 3, index

        @staticmethod
        def backward(ctx, g1, g2, g_index):
            ctx.received = (g1 is None, g2 is None, g_index is None)
            return (g1 if g1 is not None else 0) * 2

    return Scale, TooMany, GradForANumber, Double, Square, Split


def _custom(T, case):
    Scale, TooMany, GradForANumber, Double, Square, Split = _functions(T)
    x = T.tensor([1.0, -2.0, 3.0], requires_grad=True)
    c = T.ones(3)
    if case == "needs_input_grad under no_grad":
        with T.no_grad():
            out = Scale.apply(x, 2.0, c)
        return out.grad_fn, out.requires_grad, out.grad_fn
    if case == "needs_input_grad":
        out = Scale.apply(x, 2.0, c)
        out.sum().backward()
        return out.grad_fn.seen, _rounded(x.grad), type(out.grad_fn).__name__
    if case == "too many":
        TooMany.apply(x, 2.0).sum().backward()
    if case == "gradient for a number":
        GradForANumber.apply(x, 2.0).sum().backward()
    if case == "mark_dirty":
        y = x * 1
        out = Double.apply(y)
        (out * out).sum().backward()
        return out is y, type(y.grad_fn).__name__, y._version, _rounded(y), _rounded(x.grad)
    if case == "mark_dirty on a leaf":
        Double.apply(x)
    if case == "once_differentiable":
        y = Square.apply(x)
        (g,) = T.autograd.grad(y.sum(), x, create_graph=True)
        return _rounded(g), g.requires_grad
    if case == "once_differentiable twice":
        y = Square.apply(x * 1)
        (g,) = T.autograd.grad((y * y).sum(), x, create_graph=True)
        first = (_rounded(g), g.requires_grad)
        g.sum().backward()
        return first
    if case == "materialize and non-differentiable":
        a, b, index = Split.apply(x)
        a.sum().backward()
        return index.requires_grad, index.tolist(), a.grad_fn.received, _rounded(x.grad)


CUSTOM_CASES = [
    "needs_input_grad under no_grad",
    "needs_input_grad",
    "too many",
    "gradient for a number",
    "mark_dirty",
    "mark_dirty on a leaf",
    "once_differentiable",
    "once_differentiable twice",
    "materialize and non-differentiable",
]


@pytest.mark.parametrize("case", CUSTOM_CASES)
def test_custom_functions(pt, case):
    _same(pt, _custom, case)


def test_needs_input_grad_seen_by_forward_under_no_grad(pt):
    def seen(T):
        Scale = _functions(T)[0]
        x = T.tensor([1.0], requires_grad=True)
        y = T.tensor([1.0], requires_grad=True)
        seen = []

        class Spy(Scale):
            @staticmethod
            def forward(ctx, a, b, k):
                seen.append(ctx.needs_input_grad)
                return a * b * k

            @staticmethod
            def backward(ctx, g):
                return g, g, None

        with T.no_grad():
            Spy.apply(x, y, 2.0)
        Spy.apply(x, T.ones(1), 2.0)
        return seen

    assert _same(pt, seen) == ("ok", [(True, True, False), (True, False, False)])


def test_custom_function_gradients_match_finite_differences():
    Scale, _, _, Double, Square, _ = _functions(minigrad)
    rng = np.random.default_rng(3)
    a = rng.standard_normal(4)

    def run(arr):
        x = minigrad.tensor(arr, dtype=minigrad.float64, requires_grad=True)
        out = (Square.apply(Double.apply(x * 1)) * Scale.apply(x, 3.0, minigrad.ones(4))).sum()
        return x, out

    def forward(arrays):
        with minigrad.no_grad():
            return float(run(arrays[0])[1])

    x, out = run(a)
    out.backward()
    np.testing.assert_allclose(x.grad.numpy(), finite_differences(forward, [a])[0], rtol=1e-6)


# -- saved values ---------------------------------------------------------------------------------
def _saved(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    m = T.tensor([[3.0, 4.0]], requires_grad=True)
    nodes = {
        "mul": x * m,
        "mul by a number": x * 2,
        "div": x / m,
        "pow": x**2,
        "pow tensor": x**m,
        "exp": x.exp(),
        "tanh": x.tanh(),
        "sigmoid": x.sigmoid(),
        "relu": x.relu(),
        "log": x.log(),
        "abs": x.abs(),
        "mm": m.t().mm(m),
    }
    names = ["_saved_self", "_saved_other", "_saved_result", "_saved_exponent", "_saved_mat2"]
    out = {}
    for key, t in nodes.items():
        seen = {}
        for name in names:
            try:
                value = getattr(t.grad_fn, name)
            except AttributeError:
                continue
            seen[name] = (
                value
                if isinstance(value, (int, float)) or value is None
                else (_rounded(value), value.requires_grad, value is x or value is m)
            )
        out[key] = seen
    y = x.exp()
    y.sum().backward()
    try:
        y.grad_fn._saved_result
    except RuntimeError as error:
        out["after backward"] = str(error)
    return out


def test_nodes_show_their_saved_values_by_pytorchs_names(pt):
    _same(pt, _saved)


# -- grad modes -----------------------------------------------------------------------------------
MODES = {
    "no_grad()": lambda T: T.no_grad(),
    "enable_grad()": lambda T: T.enable_grad(),
    "set_grad_enabled(False)": lambda T: T.set_grad_enabled(False),
    "inference_mode()": lambda T: T.inference_mode(),
}


def _generator(T, mode):
    @MODES[mode](T)
    def steps(n):
        received = None
        for _ in range(n):
            received = yield T.is_grad_enabled(), T.is_inference_mode_enabled(), received
        return "done"

    seen = []
    with T.no_grad():
        g = steps(3)
        seen.append(next(g))
    seen.append(T.is_grad_enabled())
    seen.append(g.send("hello"))
    seen.append(T.is_grad_enabled())
    seen.append(next(g))
    try:
        next(g)
    except StopIteration as stop:
        seen.append(stop.value)
    return seen


@pytest.mark.parametrize("mode", list(MODES))
def test_grad_mode_decorators_apply_inside_a_generators_body(pt, mode):
    _same(pt, _generator, mode)


def _bare(T, how):
    def enabled():
        return T.is_grad_enabled()

    if how == "@no_grad":
        return T.no_grad(enabled)(), T.no_grad(enabled).__name__
    if how == "@enable_grad under no_grad":
        with T.no_grad():
            return T.enable_grad(enabled)()
    if how == "set_grad_enabled(func)":
        return T.set_grad_enabled(enabled)
    if how == "@set_grad_enabled(False)":
        return T.set_grad_enabled(False)(enabled)(), T.is_grad_enabled()
    if how == "@inference_mode":
        return T.inference_mode(enabled)(), T.inference_mode(enabled).__name__


@pytest.mark.parametrize(
    "how",
    [
        "@no_grad",
        "@enable_grad under no_grad",
        "set_grad_enabled(func)",
        "@set_grad_enabled(False)",
        "@inference_mode",
    ],
)
def test_grad_mode_decorators_without_parentheses(pt, how):
    _same(pt, _bare, how)


def test_decorated_generator_is_still_a_generator_function(pt):
    def check(T):
        @T.no_grad()
        def gen():
            yield 1

        return inspect.isgeneratorfunction(gen), list(gen())

    _same(pt, check)


# -- messages -------------------------------------------------------------------------------------
def _message(T, case):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    c = T.ones(2)
    if case == "grad of a constant output":
        return T.autograd.grad(c.sum(), x)
    if case == "grad of a constant w.r.t. a constant":
        return T.autograd.grad(c.sum(), c)
    if case == "grad of a constant, allow_unused":
        return T.autograd.grad(c.sum(), x, allow_unused=True)
    if case == "second output constant":
        return T.autograd.grad([x.sum(), c.sum()], x)
    if case == "input needs no grad":
        return T.autograd.grad((x * 2).sum(), c)
    if case == "detach_ on a view of a leaf":
        x[0:1].detach_()
    if case == "detach_ on a view of a plain tensor":
        c[0:1].detach_()
    if case == "mean((0, 0))":
        T.ones(2, 3).mean((0, 0))
    if case == "sum((1, -1))":
        T.ones(2, 3).sum((1, -1))
    if case == "numpy under no_grad":
        with T.no_grad():
            return x.numpy().tolist()
    if case == "numpy with grad":
        return x.numpy()
    if case == "set_grad_enabled(1)":
        T.set_grad_enabled(1)


MESSAGE_CASES = [
    "grad of a constant output",
    "grad of a constant w.r.t. a constant",
    "grad of a constant, allow_unused",
    "second output constant",
    "input needs no grad",
    "detach_ on a view of a leaf",
    "detach_ on a view of a plain tensor",
    "mean((0, 0))",
    "sum((1, -1))",
    "numpy under no_grad",
    "numpy with grad",
    "set_grad_enabled(1)",
]


@pytest.mark.parametrize("case", MESSAGE_CASES)
def test_messages(pt, case):
    _same(pt, _message, case)


def _hook_order(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    fired = []
    y.grad_fn.register_prehook(lambda go: (fired.append("node pre-hook 1"), (go[0] * 10,))[1])
    y.register_hook(lambda g: (fired.append("tensor hook"), g * 3)[1])
    y.retain_grad()
    y.grad_fn.register_prehook(lambda go: (fired.append("node pre-hook 2"), None)[1])
    (y * 1).sum().backward()
    return fired, _rounded(y.grad), _rounded(x.grad)


def test_tensor_hooks_then_retain_grad_then_node_pre_hooks(pt):
    result = _same(pt, _hook_order)
    assert result[1][0] == ["tensor hook", "node pre-hook 1", "node pre-hook 2"]


# -- snippets a student writes: printed as PyTorch prints them (engine_helpers.printed) -----
PRINTED_SNIPPETS = {}
PRINTED_SNIPPETS["hook_handle_and_once_differentiable_node"] = """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x.register_hook(lambda g: g)
    print(type(h).__name__, type((x * 2).grad_fn.register_hook(lambda gi, go: None)).__name__)
    h.remove()
    h.remove()
    class F(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 2
        @staticmethod
        @torch.autograd.function.once_differentiable
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g
    a = torch.tensor([3.0], requires_grad=True)
    g, = torch.autograd.grad(F.apply(a), a, torch.ones(1, requires_grad=True), create_graph=True)
    print(g, type(g.grad_fn).__name__, g.grad_fn.name())
    try:
        g.sum().backward()
    except RuntimeError as e:
        print("RuntimeError", e)
"""
PRINTED_SNIPPETS["grad_outputs_none_in_list"] = """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = (x * 2).sum()
    b = x * 3
    print(torch.autograd.grad([a, b], x, [None, torch.ones(2)]))
    try:
        torch.autograd.grad([a, b], x, [None, None])
    except Exception as e:
        print(type(e).__name__, e)
    try:
        torch.autograd.grad([a], x, [torch.ones(1), torch.ones(1)])
    except Exception as e:
        print(type(e).__name__, e)
"""
PRINTED_SNIPPETS["hooks_under_grad_create_graph"] = """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x ** 2
    y.register_hook(lambda g: g * 10)
    g, = torch.autograd.grad(y.sum(), x, create_graph=True)
    print(g)
    g2, = torch.autograd.grad(g.sum(), x)
    print(g2)
"""
PRINTED_SNIPPETS["custom_function_no_grad_inside"] = """
    class F(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            print("grad enabled in forward:", torch.is_grad_enabled())
            y = x * 2
            print("y requires grad:", y.requires_grad)
            return y
        @staticmethod
        def backward(ctx, g):
            print("grad enabled in backward:", torch.is_grad_enabled())
            return g * 2
    x = torch.tensor([1.0], requires_grad=True)
    F.apply(x).backward()
    torch.autograd.grad(F.apply(x), x, create_graph=True)
"""
PRINTED_SNIPPETS["retain_grad_chain_and_clear"] = """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2; a.retain_grad()
    b = a * 3; b.retain_grad()
    c = b.sum()
    c.backward(retain_graph=True)
    print(a.grad, b.grad)
    c.backward()
    print(a.grad, b.grad, x.grad)
    a.grad = None
    print(a.grad)
"""


@pytest.mark.parametrize("name", sorted(PRINTED_SNIPPETS))
def test_snippet_prints_what_pytorch_prints(pt, name):
    assert printed(minigrad, PRINTED_SNIPPETS[name]) == printed(pt, PRINTED_SNIPPETS[name])
