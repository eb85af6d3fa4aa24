"""What a student writes after the tutorial prints what PyTorch prints (issue 12).

Each snippet runs twice, with ``torch`` bound to PyTorch and to minigrad, and everything it
prints (values, types, names, warnings, the exception's type and message) must be the same;
memory addresses are masked. Snippets that go wrong on purpose also print the tensors and
gradients afterwards, so a misuse that corrupts something shows up as a difference.
"""

import pytest

import minigrad
from engine_helpers import printed

pytestmark = pytest.mark.oracle

SNIPPETS = {}


def snippet(name, code):
    assert name not in SNIPPETS
    SNIPPETS[name] = code


# -- .data: a tensor sharing memory, with no history --------------------------------------------
snippet(
    "data_manual_sgd_step",
    """
    w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    lr = 0.1
    w.data -= lr * w.grad
    print(w)
    print(w.data, type(w.data).__name__, w.data.requires_grad, w.data.is_leaf, w.data.grad_fn)
    print(w._version, w.grad)
""",
)
snippet(
    "data_shares_memory_but_not_the_version",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    d.mul_(10)
    print(x, x._version, d._version)
    d[0] = -1.0
    print(x)
""",
)
snippet(
    "data_of_a_non_leaf_and_of_a_parameter",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    print(y.data, y.data.is_leaf, y.data.grad_fn, y.data.requires_grad)
    p = torch.nn.Parameter(torch.ones(2))
    print(type(p.data).__name__, p.data)
    print(p.data.numpy(), type(x.detach().numpy()).__name__)
""",
)
snippet(
    "data_assignment",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.data = torch.tensor([5.0, 6.0, 7.0])
    print(x, x.shape)
    try:
        x.data = [1, 2]
    except TypeError as e:
        print("TypeError", e)
    try:
        x.data = torch.tensor([1, 2])
    except RuntimeError as e:
        print("RuntimeError", e)
    print(x)
""",
)
snippet(
    "data_change_is_invisible_to_autograd",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.data.zero_()  # not seen by the version check: backward uses the changed values
    y.sum().backward()
    print(x.grad)
""",
)
snippet(
    "data_sgd_loop",
    """
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    t = torch.tensor([1.0, -1.0])
    w = torch.zeros(2, requires_grad=True)
    for _ in range(3):
        loss = ((x @ w - t) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w.data -= 0.05 * w.grad
        w.grad.zero_()
        print(round(loss.item(), 5), w)
""",
)

# -- node type names -----------------------------------------------------------------------------
snippet(
    "node_type_names",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    for z in (x - 1, x * x, x ** 2, x / 2, x.exp(), x.sum(), x.sum(0), x.mean(), x[0], x.view(2, 1),
              x.relu(), x.sigmoid(), x.tanh(), -x, 2 - x, 2 / x, 2 ** x, x.max(), x.clone()):
        node = z.grad_fn
        print(type(node), type(node).__name__, node.name(), node)
""",
)
snippet(
    "accumulate_grad_names",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    acc = (x * 2).grad_fn.next_functions[0][0]
    print(type(acc), type(acc).__name__, acc.name(), acc)
    print(acc.variable is x)
""",
)
snippet(
    "custom_function_node_names",
    """
    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            result, = ctx.saved_tensors
            return grad_output * result

    x = torch.tensor([0.0, 1.0], requires_grad=True)
    y = Exp.apply(x)
    print(y)
    print(type(y.grad_fn), type(y.grad_fn).__name__, y.grad_fn.name())
    print(y.grad_fn)
    print(y.grad_fn.next_functions)
    y.sum().backward()
    print(x.grad)
""",
)
snippet(
    "node_names_depending_on_arguments",
    """
    x = torch.ones(2, 3, requires_grad=True)
    for z in (x.sum(), x.sum(1), x.mean(), x.mean(0), x.squeeze(), x.squeeze(0), x[0], x[:, 1:],
              x[..., None], x[:, :]):
        print(type(z.grad_fn).__name__, z.grad_fn.name())
""",
)


# -- custom Functions ----------------------------------------------------------------------------
TWO_OUTPUTS = """
    class ProductAndSum(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, c):
            print("needs_input_grad", ctx.needs_input_grad)
            ctx.save_for_backward(a, b)
            return a * b, a + b

        @staticmethod
        def backward(ctx, g_product, g_sum):
            a, b = ctx.saved_tensors
            print("backward got", g_product, g_sum)
            return g_product * b + g_sum, g_product * a + g_sum, None

    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    c = torch.tensor([5.0, 6.0])
"""
snippet(
    "function_needs_input_grad_under_no_grad",
    TWO_OUTPUTS
    + """
    with torch.no_grad():
        result = ProductAndSum.apply(a, b, c)
    print(type(result).__name__, result)
    with torch.no_grad():
        print(ProductAndSum.apply(a, c, c))
    print(ProductAndSum.apply(c, c, c))
""",
)
snippet(
    "function_two_outputs",
    TWO_OUTPUTS
    + """
    p, s = ProductAndSum.apply(a, b, c)
    print(p, s)
    print(p.grad_fn is s.grad_fn, p.output_nr, s.output_nr, p.grad_fn.next_functions)
    p.sum().backward(retain_graph=True)  # nothing reached s: backward gets zeros for it
    print(a.grad, b.grad)
    (p * 2 + s * 3).sum().backward()
    print(a.grad, b.grad)
    q = (p * s).sum()
    print(q.grad_fn.next_functions[0][0].next_functions)
""",
)
snippet(
    "function_two_outputs_grad_of_one",
    TWO_OUTPUTS
    + """
    p, s = ProductAndSum.apply(a, b, c)
    print(torch.autograd.grad(s.sum(), (a, b)))
    p, s = ProductAndSum.apply(a, b, c)
    print(torch.autograd.grad([p.sum(), s.sum()], [a]))
""",
)
snippet(
    "function_two_outputs_hooks_and_retain_grad",
    TWO_OUTPUTS
    + """
    p, s = ProductAndSum.apply(a, b, c)
    s.register_hook(lambda g: print("hook on s", g))
    p.register_hook(lambda g: g * 10)
    s.retain_grad()
    print(p.retains_grad, s.retains_grad)
    (p + s).sum().backward()
    print(a.grad, b.grad, s.grad)
""",
)
snippet(
    "function_mark_non_differentiable",
    """
    class SortedWithArgmax(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            index = x.argmax()
            doubled = x * 2
            ctx.mark_non_differentiable(index)
            return doubled, index

        @staticmethod
        def backward(ctx, g, g_index):
            print("backward got", g, g_index)
            return g * 2

    x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    doubled, index = SortedWithArgmax.apply(x)
    print(doubled, index, index.requires_grad, index.grad_fn)
    doubled.sum().backward()
    print(x.grad)

    class Frozen(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x * 2
            ctx.mark_non_differentiable(y)
            return y

        @staticmethod
        def backward(ctx, g):
            return g

    y = Frozen.apply(x)
    print(y, y.requires_grad, y.grad_fn, y.is_leaf)
    try:
        y.sum().backward()
    except RuntimeError as e:
        print("RuntimeError", e)
""",
)
snippet(
    "function_set_materialize_grads",
    """
    class TwoTimes(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            print("backward got", g1, g2)
            return (g1 * 2 if g1 is not None else None), None

    for materialize in (True, False):
        x = torch.tensor([3.0, 1.0], requires_grad=True)
        first, second = TwoTimes.apply(x, materialize)
        first.sum().backward()
        print(x.grad)
""",
)
snippet(
    "function_wrong_number_of_gradients",
    TWO_OUTPUTS
    + """
    class Bad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b, a - b

        @staticmethod
        def backward(ctx, g1, g2):
            return g1

    p, m = Bad.apply(a, b)
    try:
        (p + m).sum().backward()
    except RuntimeError as e:
        print("RuntimeError", e)
    print(a.grad, b.grad)
""",
)
snippet(
    "custom_function_with_setup_context",
    """
    class F(torch.autograd.Function):
        @staticmethod
        def forward(x, k):
            return x * k
        @staticmethod
        def setup_context(ctx, inputs, output):
            x, k = inputs
            ctx.k = k
            ctx.save_for_backward(x)
            ctx.mark_non_differentiable() if False else None
            print("setup", len(inputs), output, ctx.needs_input_grad)
        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * ctx.k, None
    a = torch.tensor([3.0], requires_grad=True)
    y = F.apply(a, 4.0)
    y.backward()
    print(y, a.grad, y.grad_fn.name())
    with torch.no_grad():
        print(F.apply(a, 2.0))
    class G(torch.autograd.Function):
        @staticmethod
        def forward(x):
            return x * 2, x * 3
        @staticmethod
        def setup_context(ctx, inputs, output):
            a, b = output
            ctx.mark_non_differentiable(b)
        @staticmethod
        def backward(ctx, ga, gb):
            return ga * 2
    p, q = G.apply(a)
    print(p, q, q.requires_grad)
    p.sum().backward()
    print(a.grad)
""",
)


# -- hooks that return something wrong --------------------------------------------------------
snippet(
    "hook_changes_the_size",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward()
    def my_hook(grad):
        return torch.ones(3)
    y = x * w
    handle = y.register_hook(my_hook)
    try:
        y.sum().backward()
    except RuntimeError as e:
        print("RuntimeError", e)
    print(x.grad, w.grad)
    handle.remove()
    x.register_hook(lambda g: g.sum())
    try:
        (x * w).sum().backward()
    except RuntimeError as e:
        print("RuntimeError", e)
    print(x.grad, w.grad)
""",
)
snippet(
    "hook_changes_the_type_or_returns_a_number",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g.double())
    try:
        (x * 2).sum().backward()
    except RuntimeError as e:
        print("RuntimeError", e)
    print(x.grad)
    z = torch.tensor([1.0, 2.0], requires_grad=True)
    z.register_hook(lambda g: 5)
    try:
        (z * 2).sum().backward()
    except TypeError as e:
        print("TypeError", e)
    print(z.grad)

    class Scale:
        def __call__(self, grad):
            return torch.ones(1)
    v = torch.tensor([1.0, 2.0], requires_grad=True)
    v.register_hook(Scale())
    try:
        (v * 2).sum().backward()
    except RuntimeError as e:
        print("RuntimeError", e)
""",
)
snippet(
    "node_hooks_that_return_something_wrong",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.grad_fn.register_prehook(lambda grad_outputs: (torch.ones(3),))
    try:
        y.sum().backward()
    except RuntimeError as e:
        print("RuntimeError", e)
    y = x * 2
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: (torch.ones(2),))
    try:
        y.sum().backward()
    except RuntimeError as e:
        print("RuntimeError", e)
    print(x.grad)
""",
)
snippet(
    "hooks_that_replace_gradients",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y = x * w
    y.register_hook(lambda g: g * 100)
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: (grad_inputs[0] + 1, None))
    y.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 2,))
    y.sum().backward()
    print(x.grad, w.grad)
""",
)


# -- maximum and minimum -------------------------------------------------------------------------
snippet(
    "maximum_minimum_ties_share_the_gradient",
    """
    for f in (torch.maximum, torch.minimum, torch.max, torch.min):
        a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = torch.tensor([1.0, 0.0, 5.0], requires_grad=True)
        z = f(a, b)
        z.sum().backward()
        print(f.__name__, z, a.grad, b.grad)
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    print(a.maximum(torch.tensor(2.0)), a.minimum(torch.tensor(2.0)), a.max(a * 0), a.min(a * 0))
    c = torch.tensor(2.0, requires_grad=True)
    torch.maximum(a, c).sum().backward()
    print(c.grad, a.grad)
    print(torch.maximum(torch.tensor([1, 5]), torch.tensor([2, 3])))
    print(torch.maximum(torch.tensor([1, 2]), torch.tensor([1.5, 1.5])))
    nan = float("nan")
    x = torch.tensor([1.0, nan, 3.0], requires_grad=True)
    y = torch.tensor([nan, 2.0, 3.0], requires_grad=True)
    m = torch.maximum(x, y)
    m.sum().backward()
    print(m, x.grad, y.grad)
""",
)
snippet(
    "maximum_minimum_misuse",
    """
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    for bad in (lambda: torch.maximum(a, 2), lambda: torch.maximum(a, 2.0), lambda: a.maximum(2),
                lambda: torch.maximum(2, a), lambda: torch.minimum(a, [1, 2]),
                lambda: a.minimum(None), lambda: torch.max(a, 2.0), lambda: torch.min(a, "x"),
                lambda: a.max(2.0), lambda: a.min("x"), lambda: torch.max(a, 5)):
        try:
            bad()
        except (TypeError, IndexError) as e:
            print(type(e).__name__, e)
    print(a, a.grad)
""",
)


# -- gradients of gradients ----------------------------------------------------------------------
snippet(
    "second_derivative_through_relu_and_abs",
    """
    for f in (torch.relu, torch.abs, torch.nn.functional.relu):
        x = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        g, = torch.autograd.grad(f(x).sum(), x, create_graph=True)
        print(g, g.requires_grad)
        h, = torch.autograd.grad(g.sum(), x)
        print(h)
""",
)
snippet(
    "second_derivative_node_names",
    """
    x = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    for f in (torch.tanh, torch.sigmoid, torch.relu, lambda t: t.softmax(0),
              lambda t: t.log_softmax(0), lambda t: t ** 3, torch.sin, torch.exp,
              lambda t: torch.nn.functional.mse_loss(t, torch.zeros(3)),
              lambda t: torch.nn.functional.cross_entropy(t[None], torch.tensor([1])),
              lambda t: torch.nn.functional.binary_cross_entropy_with_logits(t, torch.ones(3))):
        y = f(x)
        g, = torch.autograd.grad(y, x, torch.ones_like(y), create_graph=True)
        print(g)
        print([type(n).__name__ if n is not None else None for n, _ in g.grad_fn.next_functions])
        h, = torch.autograd.grad((g * torch.tensor([1.0, -2.0, 3.0])).sum(), x)
        print(h)
""",
)
snippet(
    "backward_with_create_graph_then_grad_of_grad",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.tanh() * x).sum()
    y.backward(create_graph=True)
    print(x.grad)
    g = x.grad
    x.grad = None
    g.sum().backward()
    print(x.grad)
""",
)


# -- inference_mode ------------------------------------------------------------------------------
snippet(
    "inference_mode_block_and_decorators",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.inference_mode():
        y = x * 2
        z = torch.ones(2)
        print(y, y.requires_grad, y.is_inference(), z.is_inference())
        print(torch.is_inference_mode_enabled(), torch.is_grad_enabled())
        y.add_(1)
        print(y)
    print(torch.is_inference_mode_enabled(), torch.is_grad_enabled(), x.is_inference())

    @torch.inference_mode()
    def triple(a):
        return a * 3

    @torch.inference_mode
    def quadruple(a):
        return a * 4

    print(triple(x), triple(x).is_inference(), quadruple(x).is_inference())
    with torch.inference_mode(False):
        print(torch.is_inference_mode_enabled(), (x * 2).requires_grad)
    with torch.inference_mode():
        with torch.enable_grad():
            print(torch.is_grad_enabled(), (x * 2).requires_grad)
        with torch.inference_mode(False):
            w = x * 2
            print(torch.is_grad_enabled(), w.requires_grad, w.is_inference())
    with torch.no_grad():
        with torch.inference_mode(False):
            print(torch.is_grad_enabled())
""",
)
snippet(
    "inference_tensors_outside_inference_mode",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.inference_mode():
        y = x * 2
    for bad in ("y.add_(1)", "y.zero_()", "y.requires_grad_()", "x * y", "y._version",
                "torch.ones(2, requires_grad=True) * y"):
        try:
            eval(bad)
        except RuntimeError as e:
            print(bad, "->", e)
    try:
        y[0] = 5.0
    except RuntimeError as e:
        print("y[0] = 5.0 ->", e)
    try:
        y.requires_grad = True
    except RuntimeError as e:
        print("y.requires_grad = True ->", e)
    print(x, x.grad)  # (y itself: PyTorch has written it before refusing; minigrad has not)
    print((y + x).grad_fn, y.clone().is_inference(), y.detach().is_inference(), y.data.is_inference())
    with torch.inference_mode():
        y = x * 2
    c = y.clone().requires_grad_()
    (c * x).sum().backward()
    print(x.grad, c.grad)
    t = torch.ones(2)
    e = torch.ones(2, requires_grad=True)
    with torch.inference_mode():
        t.add_(1)
        e.add_(1)
    print(t, t._version, t.is_inference(), e)
""",
)

# -- in-place ops and a[key] = v on integer tensors and with odd shapes ------------------------
snippet(
    "inplace_float_result_into_integer_tensor",
    """
    a = torch.tensor([1, 2])
    for change in (lambda: a.add_(1.5), lambda: a.mul_(torch.tensor([1.5, 2.0])),
                   lambda: a.div_(2), lambda: a.exp_(), lambda: a.clamp_(0.5, 1.5)):
        try:
            change()
        except RuntimeError as e:
            print("RuntimeError", e)
    try:
        a /= 2
    except RuntimeError as e:
        print("RuntimeError", e)
    b = torch.tensor([True, False])
    try:
        b.add_(1)
    except RuntimeError as e:
        print("RuntimeError", e)
    a.add_(3)
    a[0] = 2.7  # a written value is cast, as copy_ casts
    c = torch.ones(2)
    c.add_(torch.tensor([1, 2]))
    print(a, a._version, b, b._version, c)
""",
)
snippet(
    "clamp_of_an_integer_tensor_to_float_bounds",
    """
    a = torch.tensor([1, 2, 3])
    print(a.clamp(0.5, 1.5), a.clamp(min=2), a.clamp(max=2.5), torch.clamp(a, 1, 2))
    try:
        a.clamp_(0.5, 1.5)
    except RuntimeError as e:
        print("RuntimeError", e)
    print(a, a._version)
    a.clamp_(1, 2)
    print(a, a._version)
""",
)
snippet(
    "setitem_value_with_leading_ones",
    """
    y = torch.zeros(2, 3, requires_grad=True) * 1
    w = torch.ones(1, 1, 3, requires_grad=True)
    y[0] = w
    print(y)
    (y * torch.arange(6.0).reshape(2, 3)).sum().backward()
    print(w.grad)
""",
)

# -- creation sizes, scalar conversions, .grad assignment, save_for_backward, grad() ---------
snippet(
    "creation_bad_sizes",
    """
    for f in [lambda: torch.zeros(-1), lambda: torch.ones(2, -1), lambda: torch.empty(-2), lambda: torch.full((-1,), 1.0), lambda: torch.rand(-1), lambda: torch.randn(3, -1),
              lambda: torch.arange(0, 1, 0), lambda: torch.arange(0, 5, -1), lambda: torch.arange(5, 0), lambda: torch.linspace(0, 1, -1), lambda: torch.eye(-1), lambda: torch.eye(2, -3),
              lambda: torch.zeros((2, -3)), lambda: torch.arange(0, 0), lambda: torch.arange(5, 0, -2), lambda: torch.zeros(0, 2), lambda: torch.empty(0).shape, lambda: torch.linspace(0, 1, 0)]:
        try:
            print(f())
        except Exception as e:
            print(type(e).__name__, e)
""",
)
snippet(
    "tensor_scalar_conversions",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    for v in [torch.ones(2), torch.ones(0)]:
        for f in (float, int, bool):
            try:
                f(v)
            except Exception as e:
                print(f.__name__, type(e).__name__, e)
    try:
        x.item()
    except Exception as e:
        print(type(e).__name__, e)
    print(float(x[0]), int(x[1]), bool(x[0]), float(torch.tensor([[2.5]])))
""",
)
snippet(
    "grad_assignment_checks",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    for g in [torch.ones(2, dtype=torch.float16), torch.ones(2, dtype=torch.int32), torch.ones(2, dtype=torch.bool), torch.ones(3, dtype=torch.float64), torch.ones(3), [1.0, 2.0]]:
        try:
            x.grad = g
        except Exception as e:
            print(type(e).__name__, e)
    print(x.grad)
    y = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    try:
        y.grad = torch.ones(2)
    except Exception as e:
        print(type(e).__name__, e)
    y.grad = torch.ones(2, dtype=torch.float64)
    print(y.grad)
""",
)
snippet(
    "save_for_backward_refuses_non_tensors",
    """
    class G(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, None, 3)
            return x * 2
        @staticmethod
        def backward(ctx, g):
            return g
    a = torch.tensor([3.0], requires_grad=True)
    for args in ((a,),):
        try:
            G.apply(*args)
        except TypeError as e:
            print("TypeError", e)
    class H(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward([x])
            return x * 2
    try:
        H.apply(a)
    except TypeError as e:
        print("TypeError", e)
    print(a, a.grad)
""",
)
snippet(
    "grad_materialize",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 3).sum()
    print(torch.autograd.grad(y, [x, w], allow_unused=True, materialize_grads=True, retain_graph=True))
    print(torch.autograd.grad(y, [x, w], materialize_grads=True, retain_graph=True))
    g = torch.autograd.grad(y, [x, w], materialize_grads=True, create_graph=True)
    print(g, g[1].requires_grad)
    try:
        torch.autograd.grad(y, [x, w], allow_unused=False, materialize_grads=True)
    except ValueError as e:
        print("ValueError", e)
    print(torch.autograd.grad((x * 2).sum(), w, allow_unused=True))
""",
)

# -- torch.tensor of a tensor, as_tensor of an array ---------------------------------------
snippet(
    "tensor_from_tensor",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor(x)
    print(y, y.requires_grad)
    z = torch.tensor([x[0], x[1]])
    print(z)
""",
)
snippet(
    "as_tensor_from_numpy",
    """
    a = np.array([1.0, 2.0])
    t = torch.as_tensor(a)
    a[0] = 5
    print(t, t.dtype)
    t2 = torch.tensor(a)
    a[1] = 7
    print(t2)
    print(torch.from_numpy(np.array([1, 2], dtype=np.int32)).dtype, torch.tensor(np.array([1.5], dtype=np.float32)).dtype)
""",
)

# -- sizes, dtype aliases, printing edge cases ------------------------------------------------
snippet(
    "repr_of_size_and_dtype",
    """
    x = torch.ones(2, 3)
    print(x.shape, repr(x.shape), x.size(), tuple(x.shape), list(x.shape), x.shape == (2, 3), x.shape[1:], type(x.shape[1:]).__name__, torch.Size([2, 3]), x.shape.numel())
    print(x.dtype, repr(x.dtype), str(x.dtype), torch.float32, torch.float, torch.double, torch.long, torch.int, torch.bool, x.dtype.is_floating_point)
    print(x.device, str(x.device), repr(x.device) if False else '')
""",
)
snippet(
    "print_special_values",
    """
    print(torch.tensor([float('nan'), 1.0, 2.5]))
    print(torch.tensor([float('inf'), 1.0]))
    print(torch.tensor([float('inf'), -float('inf')]))
    print(torch.tensor([float('nan')]))
    print(torch.tensor([float('nan'), 1e10]))
    print(torch.tensor([1e-10, float('inf')]))
    print(torch.tensor(float('-inf'), requires_grad=True))
    print(torch.tensor([0.0, -0.0, 1.0]))
    print(torch.tensor([5.0, float('nan')], dtype=torch.float64))
""",
)
snippet(
    "print_ints_bool",
    """
    print(torch.tensor([-1, 10, -100]), torch.tensor([[1, -1], [100000, 2]]), torch.tensor(-5), torch.tensor([True]), torch.tensor(False))
    print(torch.tensor([1, 2], dtype=torch.int32), torch.tensor([1, 2], dtype=torch.int16), torch.tensor([1, 2], dtype=torch.int8), torch.tensor([1, 2], dtype=torch.uint8))
    print(torch.tensor([], dtype=torch.int64), torch.tensor([], dtype=torch.bool), torch.zeros(2, 0, dtype=torch.int32))
    print(torch.tensor([1.0, 2.0], dtype=torch.float16) * 2)
""",
)
snippet(
    "printoptions_variants",
    """
    torch.set_printoptions(precision=2)
    print(torch.tensor([1.23456, 2.0]), torch.tensor([1.23456], dtype=torch.float64))
    torch.set_printoptions(threshold=5)
    print(torch.arange(10.))
    torch.set_printoptions(edgeitems=1)
    print(torch.arange(10.))
    torch.set_printoptions(profile="default")
    print(torch.arange(10.), torch.tensor([1.23456]))
    torch.set_printoptions(linewidth=40)
    print(torch.arange(20.))
    torch.set_printoptions(profile="default")
    torch.set_printoptions(sci_mode=False)
    print(torch.tensor([1e-8, 1.0]))
    torch.set_printoptions(profile="default")
    torch.set_printoptions(sci_mode=None)
    print(torch.tensor([1e-8, 1.0]))
""",
)
snippet(
    "format_strings",
    """
    x = torch.tensor(3.14159)
    print(f"{x:.2f}", f"{x}", "%s" % x, "{}".format(x), str(x), f"{x.item():.3e}")
    y = torch.tensor([1.0, 2.0])
    print(f"{y}", "%s" % y, "{!r}".format(y))
    try:
        print("%.2f" % y)
    except Exception as e:
        print(type(e).__name__, e)
    print("%.2f" % x)
    print(round(x.item(), 2), f"{torch.tensor(2):d}" if False else '', format(torch.tensor(5), 'd') if False else '')
""",
)

# -- randint's two forms; the tutorial's own code; the version-counter messages -------------
snippet(
    "randint_forms",
    """
    for f in [lambda: torch.randint(5, (2, 2)).shape, lambda: torch.randint(0, 5, (3,)).shape, lambda: torch.randint(3, 3, (2,)), lambda: torch.randint(5, size=(2,)).shape,
              lambda: torch.randint(low=0, high=5, size=(2,)).shape, lambda: torch.randint(2, 5, (4,)).dtype, lambda: torch.randint(0, 2, (3,), dtype=torch.float32).dtype,
              lambda: ((torch.randint(2, 5, (50,)) >= 2) & (torch.randint(2, 5, (50,)) < 5)).all()]:
        try:
            print(f())
        except Exception as e:
            print(type(e).__name__, str(e)[:150])
""",
)
snippet(
    "tutorial_basic_autograd",
    """
    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.tensor([[0.1 * i - 0.2 * j for j in range(3)] for i in range(5)], requires_grad=True)
    b = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    print(f"Gradient function for z = {z.grad_fn}")
    print(f"Gradient function for loss = {loss.grad_fn}")
    loss.backward()
    print(w.grad)
    print(b.grad)
    z = torch.matmul(x, w) + b
    print(z.requires_grad)
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    print(z.requires_grad)
    z = torch.matmul(x, w) + b
    z_det = z.detach()
    print(z_det.requires_grad)
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"First call\n{inp.grad}")
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nSecond call\n{inp.grad}")
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nCall after zeroing gradients\n{inp.grad}")
""",
)
snippet(
    "logistic_regression_bce",
    """
    X = torch.tensor([[1.0, 2.0], [2.0, 1.0], [-1.0, -2.0], [-2.0, -1.0]])
    y = torch.tensor([1.0, 1.0, 0.0, 0.0])
    w = torch.zeros(2, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for _ in range(5):
        z = X @ w + b
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
        loss.backward()
        with torch.no_grad():
            w -= 0.5 * w.grad
            b -= 0.5 * b.grad
            w.grad.zero_(); b.grad.zero_()
    print(w, f"{abs(b.item()):.4f}", loss)  # b is 0 up to rounding noise
    p = torch.sigmoid(X @ w + b)
    print(torch.nn.functional.binary_cross_entropy(p, y))
""",
)
snippet(
    "version_error_message_variants",
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y = x * w
    w2 = w * 1
    z = x * w2
    w2.mul_(2)
    try:
        z.sum().backward()
    except RuntimeError as e:
        print("RuntimeError", e)
    a = x.clone()
    b = a.pow(2)
    a.zero_()
    try:
        b.sum().backward()
    except RuntimeError as e:
        print("RuntimeError", e)
    c = x.clone()
    d = c.tanh()
    d.add_(1)
    try:
        d.sum().backward()
    except RuntimeError as e:
        print("RuntimeError", e)
""",
)


# -- found by the randomized differential fuzzer ---------------------------------------------
snippet(
    "float64_from_python_floats_keeps_every_digit",
    """
    torch.set_printoptions(precision=12)
    x = torch.tensor([0.32, 1.64, 0.2], dtype=torch.float64, requires_grad=True)
    print(x, torch.tensor(0.1, dtype=torch.float64), torch.tensor([[1.1]], dtype=torch.double))
    print((x * 3).sum().item(), torch.tensor([0.1], dtype=torch.float16))
    torch.set_printoptions(profile="default")
""",
)


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_prints_what_pytorch_prints(pt, name):
    theirs = printed(pt, SNIPPETS[name])
    mine = printed(minigrad, SNIPPETS[name])
    assert mine == theirs


def test_a_refused_change_to_an_inference_tensor_changes_nothing():
    """PyTorch writes the values and then raises; minigrad refuses first (README: differences)."""
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with minigrad.inference_mode():
        y = x * 2
    for change in (
        lambda: y.add_(1),
        lambda: y.zero_(),
        lambda: y.copy_(minigrad.ones(2)),
        lambda: y.fill_(7),
        lambda: y.clamp_(0, 1),
        lambda: y.__setitem__(0, 5.0),
    ):
        with pytest.raises(RuntimeError, match="Inplace update to inference tensor"):
            change()
        assert y.tolist() == [2.0, 4.0]
