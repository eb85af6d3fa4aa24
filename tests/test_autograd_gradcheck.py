"""``minigrad.autograd.gradcheck`` / ``gradgradcheck`` against PyTorch's: the same verdict, the same
exception type and message, on right and on deliberately wrong backwards."""

import warnings

import numpy as np
import pytest

import minigrad
from minigrad.autograd.gradcheck import GradcheckError


def _functions(lib):
    """Named cases: (function, input shapes, which inputs require grad). Built for either library."""
    F = lib.autograd.Function

    class WrongSecond(F):  # d/db uses b instead of a
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            return g * b, g * b

    class IgnoresGradOutput(F):  # forgets the incoming gradient
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.exp().sum()

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return x.exp()

    class ScaledSigmoid(F):  # right, with a saved output
        @staticmethod
        def forward(ctx, x):
            s = 1 / (1 + (-x).exp())
            ctx.save_for_backward(s)
            return s

        @staticmethod
        def backward(ctx, g):
            (s,) = ctx.saved_tensors
            return g * s * (1 - s)

    class OffByFactor(F):  # right except a factor 1.01 on the first input
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            return 1.01 * g * b, g * a

    return {
        "product": (lambda a, b: a * b, [(2, 3), (2, 3)], [True, True]),
        "broadcast_matmul": (lambda a, b: (a @ b).tanh() + a.sum(), [(2, 3), (3, 4)], [True, True]),
        "two_outputs": (lambda a: (a.sin(), (a * a).sum()), [(3,)], [True]),
        "wrong_second": (WrongSecond.apply, [(2,), (2,)], [True, True]),
        "wrong_second_first_constant": (WrongSecond.apply, [(2,), (2,)], [False, True]),
        "ignores_grad_output": (IgnoresGradOutput.apply, [(3,)], [True]),
        "custom_right": (ScaledSigmoid.apply, [(2, 2)], [True]),
        "off_by_factor": (OffByFactor.apply, [(3,), (3,)], [True, True]),
        "no_differentiable_output": (lambda a: a.detach() * 2, [(3,)], [True]),
        "constant_output": (lambda a: (a * 0).detach() + 1, [(2,)], [True]),
        "scalar_input": (lambda a: (a * a).exp(), [()], [True]),
    }


CASES = sorted(_functions(minigrad))


def _inputs(lib, shapes, needs, dtype_name="float64", seed=0):
    rng = np.random.default_rng(seed)
    dtype = getattr(lib, dtype_name)
    return tuple(
        lib.tensor(rng.standard_normal(s), dtype=dtype, requires_grad=r)
        for s, r in zip(shapes, needs)
    )


def _outcome(lib, error_class, name, **options):
    fn, shapes, needs = _functions(lib)[name]
    inputs = _inputs(lib, shapes, needs)
    try:
        return ("returned", lib.autograd.gradcheck(fn, inputs, **options))
    except error_class as error:
        return ("raised", type(error).__name__, str(error))


@pytest.mark.oracle
@pytest.mark.parametrize("name", CASES)
def test_gradcheck_agrees_with_pytorch(pt, name):
    from torch.autograd.gradcheck import GradcheckError as TorchGradcheckError

    for options in ({}, {"raise_exception": False}):
        assert _outcome(minigrad, GradcheckError, name, **options) == _outcome(
            pt, TorchGradcheckError, name, **options
        )


@pytest.mark.oracle
@pytest.mark.parametrize("name", ["product", "broadcast_matmul", "two_outputs", "custom_right"])
def test_gradgradcheck_agrees_with_pytorch(pt, name):
    results = []
    for lib in (minigrad, pt):
        fn, shapes, needs = _functions(lib)[name]
        inputs = _inputs(lib, shapes, needs)
        results.append(lib.autograd.gradgradcheck(fn, inputs))
    assert results == [True, True]


def test_wrong_backward_is_named_by_input_and_the_error_is_a_runtime_error():
    fn, shapes, needs = _functions(minigrad)["wrong_second"]
    with pytest.raises(
        RuntimeError,
        match=r"^Jacobian mismatch for output 0 with respect to input 1,\n"
        r"numerical:tensor\(",
    ) as info:
        minigrad.autograd.gradcheck(fn, _inputs(minigrad, shapes, needs))
    assert isinstance(info.value, GradcheckError)
    assert "analytical:tensor(" in str(info.value)


def test_gradgradcheck_catches_a_first_derivative_that_is_not_differentiated_right():
    class DetachedBackward(minigrad.autograd.Function):  # first derivative right, but a constant
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x.detach() ** 2

    x = _inputs(minigrad, [(3,)], [True])
    assert minigrad.autograd.gradcheck(DetachedBackward.apply, x)
    assert not minigrad.autograd.gradgradcheck(DetachedBackward.apply, x, raise_exception=False)


@pytest.mark.oracle
def test_bad_inputs_give_pytorchs_errors_and_warnings(pt):
    for lib in (minigrad, pt):
        with pytest.raises(
            ValueError,
            match="gradcheck expects at least one input tensor to require "
            "gradient, but none of them have requires_grad=True.",
        ):
            lib.autograd.gradcheck(lambda a: a * 2, (lib.ones(2, dtype=lib.float64),))
    messages = []
    for lib in (minigrad, pt):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.autograd.gradcheck(lambda a: a * 2, lib.ones(2, requires_grad=True), atol=0.1)
        messages.append([str(w.message) for w in caught if w.category is UserWarning])
    assert messages[0] == messages[1] and messages[0][0].startswith("Input #0 requires gradient")


def test_inputs_are_left_as_they_were():
    a, b = _inputs(minigrad, [(2, 3), (2, 3)], [True, True])
    before = (a.detach().clone(), b.detach().clone(), a._version, b._version)
    minigrad.autograd.gradcheck(lambda a, b: a * b, (a, b))
    assert minigrad.equal(a, before[0]) and minigrad.equal(b, before[1])
    assert (a._version, b._version) == before[2:] and a.grad is None and b.grad is None


@pytest.mark.oracle
def test_an_input_with_a_stride_0_dimension_is_refused_as_in_pytorch(pt):
    messages = []
    for lib in (minigrad, pt):
        x = lib.ones(1, dtype=lib.float64).expand(3).requires_grad_()
        with pytest.raises(RuntimeError) as info:
            lib.autograd.gradcheck(lambda a: a * 2, (x,))
        messages.append(str(info.value))
    assert messages[0] == messages[1] and "stride 0" in messages[0]


def test_a_function_that_raises_leaves_the_inputs_as_they_were():
    a = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    calls = []

    def flaky(t):
        calls.append(1)
        if len(calls) == 3:  # the first call, then one value of the numerical pass
            raise ValueError("boom")
        return t * 3

    with pytest.raises(ValueError, match="boom"):
        minigrad.autograd.gradcheck(flaky, (a,))
    assert a.tolist() == [1.0, 2.0]
