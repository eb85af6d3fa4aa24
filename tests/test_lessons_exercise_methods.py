"""Exercises that check the method, not only the result: intermediate steps of a derivation by hand,
a finite difference run on a function that has no backward, backwards written by the student
(gradchecked, the wrong input named), and predictions made in the stepper."""

import numpy as np
import pytest

import minigrad as torch
from minigrad import exercises
from minigrad.exercises import check
from minigrad.widgets import BackwardStepper


@pytest.fixture(autouse=True)
def _fresh_hints():
    exercises.reset()
    yield
    exercises.reset()


def _lesson(seed=0):
    torch.manual_seed(seed)
    x, y = torch.ones(5), torch.zeros(3)
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    z = torch.matmul(x, w) + b
    return dict(x=x, y=y, w=w, b=b), z


# -- intermediate steps ------------------------------------------------------------------------------
def test_a_wrong_intermediate_step_is_named_and_a_right_one_confirmed():
    t, z = _lesson()
    with torch.no_grad():
        dz = (torch.sigmoid(z) - t["y"]) / 3
    right = torch.matmul(t["w"].detach(), dz)
    assert check("lesson3.dx", right, steps={"dz": dz}, **t).passed
    result = check("lesson3.dx", right * 2, steps={"dz": dz}, **t)
    assert result.status == "wrong" and "Your step dz is right." in result.message
    result = check("lesson3.dx", right, steps={"dz": dz * 3}, **t)  # the answer right, a step not
    assert result.passed
    result = check("lesson3.dx", right * 2, steps={"dz": dz * 3}, **t)
    assert (
        "Your step dz is not right yet (3 of the 3 numbers are off): fix it first."
        in result.message
    )


def test_steps_alone_can_be_checked_before_the_answer():
    t, z = _lesson()
    with torch.no_grad():
        dz = 2 * (z - t["y"]) / 3
    result = check("lesson3.mse_db", steps={"dz": dz}, **t)
    assert result.status == "todo" and result.message.startswith("Your step dz is right.")
    result = check("lesson3.mse_db", steps={"dz": dz + 1}, **t)
    assert result.status == "wrong" and "step dz is not right yet" in result.message
    assert result.hint_level == 1
    assert (
        check("lesson3.mse_db", steps={"dz": dz + 1}, **t).hint_level == 2
    )  # a miss like any other


def test_steps_of_the_optimizer_exercises():
    w0 = np.array([1.0, -2.0])
    w1 = w0 - 0.1 * 2 * w0
    grad2 = 2 * w0 + 2 * w1
    assert check("lesson7.forgot_zero", w1 - 0.1 * grad2, steps={"w1": w1, "grad2": grad2}).passed
    result = check("lesson7.forgot_zero", w1 - 0.1 * 2 * w1, steps={"w1": w1, "grad2": 2 * w1})
    assert "step grad2 is not right yet" in result.message  # forgot that the gradients add up
    result = check("lesson7.forgot_zero", [0.0, 0.0], steps={"w1": w1})
    assert "Your step w1 is right." in result.message
    assert check("lesson6.vjp", [2.0, 0.0, -6.0], steps={"J": np.diag([2.0, 4.0, 6.0])}).passed
    assert (
        "step J is not right"
        in check("lesson6.vjp", [0.0, 0.0, 0.0], steps={"J": np.eye(3)}).message
    )


def test_unknown_steps_are_a_clear_error():
    t, _ = _lesson()
    with pytest.raises(
        TypeError, match="exercise 'lesson3.dx' has no step called 'dw'; its steps are: dz"
    ):
        check("lesson3.dx", [0.0] * 5, steps={"dw": 1}, **t)
    with pytest.raises(TypeError, match="its steps are: none"):
        check("lesson5.twice", 7.0, steps={"x": 1})


# -- the finite difference: the student's function, run on a function without backward --------------
def central_difference(f, t, index, h=1e-3):
    up, down = t.detach().clone(), t.detach().clone()
    up[index] += h
    down[index] -= h
    return (f(up) - f(down)).item() / (2 * h)


def backward_shortcut(f, t, index, h=1e-3):
    t = t.detach().requires_grad_(True)
    f(t).backward()
    return t.grad[index]


def fixed_index(f, t, index, h=1e-3):
    return central_difference(f, t, (2, 1), h)


def in_place(f, t, index, h=1e-3):
    with torch.no_grad():
        t[index] += h
        above = f(t).item()
        t[index] -= 2 * h
        below = f(t).item()
    return (above - below) / (2 * h)


def test_a_real_central_difference_passes_on_both_functions():
    for seed in (0, 1):
        t, _ = _lesson(seed)
        assert check("lesson3.fd_w21", central_difference, **t).passed


def test_the_backward_shortcut_is_rejected_on_the_function_without_backward():
    t, _ = _lesson()
    result = check("lesson3.fd_w21", backward_shortcut, **t)
    assert result.status == "wrong"
    assert "On a new function with no backward" in result.message
    assert "does not have a grad_fn" in result.message  # what the engine said when it was tried
    assert result.hint_level == 1


def test_other_wrong_methods_are_rejected_with_a_reason():
    t, _ = _lesson()
    assert "your estimate is off" in check("lesson3.fd_w21", fixed_index, **t).message
    message = check("lesson3.fd_w21", in_place, **t).message
    assert "changed t itself" in message and "t.detach().clone()" in message
    assert t["w"].grad is None
    message = check("lesson3.fd_w21", lambda f, t, i: t.detach() * 0, **t).message
    assert "one number" in message


def test_a_number_instead_of_the_function_is_a_form_problem():
    t, _ = _lesson()
    result = check("lesson3.fd_w21", 0.25, **t)
    assert "asks for your function itself" in result.message and result.hint_level == 1
    assert check("lesson3.fd_w21", 0.25, **t).hint_level == 1  # the form: no second hint yet


# -- write your own backward ---------------------------------------------------------------------------
Function = torch.autograd.Function


class MySigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        s = 1 / (1 + (-x).exp())
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad_output):
        (s,) = ctx.saved_tensors
        return grad_output * s * (1 - s)


class SigmoidIgnoringGrad(MySigmoid):
    @staticmethod
    def backward(ctx, grad_output):
        (s,) = ctx.saved_tensors
        return s * (1 - s)


class SigmoidWrongFormula(MySigmoid):
    @staticmethod
    def backward(ctx, grad_output):
        (s,) = ctx.saved_tensors
        return grad_output * s


class SigmoidWrongForward(MySigmoid):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.exp() / (1 + x.exp()) + 0.1


class SigmoidForgotToSave(Function):
    @staticmethod
    def forward(ctx, x):
        return 1 / (1 + (-x).exp())

    @staticmethod
    def backward(ctx, grad_output):
        (s,) = ctx.saved_tensors
        return grad_output * s * (1 - s)


class ForwardOnly(Function):
    @staticmethod
    def forward(ctx, x):
        return 1 / (1 + (-x).exp())


class MySoftplus(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (1 + x.exp()).log()

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x.sigmoid()


class Mul3(Function):
    @staticmethod
    def forward(ctx, a, b, c):
        ctx.save_for_backward(a, b, c)
        return a * b * c

    @staticmethod
    def backward(ctx, grad_output):
        a, b, c = ctx.saved_tensors
        return grad_output * b * c, grad_output * a * c, grad_output * a * b


class Mul3WrongC(Mul3):
    @staticmethod
    def backward(ctx, grad_output):
        a, b, c = ctx.saved_tensors
        return grad_output * b * c, grad_output * a * c, grad_output * a * c


class Mul3SummedB(Mul3):  # b's gradient summed to one number
    @staticmethod
    def backward(ctx, grad_output):
        a, b, c = ctx.saved_tensors
        return grad_output * b * c, (grad_output * a * c).sum(), grad_output * a * b


class Mul3ForgetsBroadcast(Mul3):  # right for equal shapes only: c's gradient uses a's shape
    @staticmethod
    def backward(ctx, grad_output):
        a, b, c = ctx.saved_tensors
        gc = (grad_output * a * b).reshape(-1)[: c.numel()].reshape(c.shape)
        return grad_output * b * c, grad_output * a * c, gc


class Mul3TwoGradients(Mul3):
    @staticmethod
    def backward(ctx, grad_output):
        a, b, c = ctx.saved_tensors
        return grad_output * b * c, grad_output * a * c


def test_right_functions_pass_the_gradcheck():
    assert check("lesson9.sigmoid", MySigmoid).passed
    assert check("lesson9.softplus", MySoftplus).passed
    assert check("lesson9.mul3", Mul3).passed


@pytest.mark.parametrize(
    "answer, words",
    [
        (SigmoidIgnoringGrad, "ignores grad_output"),
        (SigmoidWrongFormula, "The gradient for input 0 (x) is wrong (gradcheck)."),
        (SigmoidWrongForward, "Your forward gives the wrong values"),
        (SigmoidForgotToSave, "Your backward raised"),
        (ForwardOnly, "Your class has no backward yet"),
        (MySigmoid.apply, "(not its .apply)"),
        (MySigmoid(), "Answer with your class itself"),
        (lambda x: x.sigmoid(), "Answer with your class itself"),
    ],
)
def test_each_kind_of_wrong_sigmoid_is_named(answer, words):
    result = check("lesson9.sigmoid", answer)
    assert result.status == "wrong" and words in result.message, result.message


def test_each_kind_of_wrong_product_of_three_is_named():
    message = check("lesson9.mul3", Mul3WrongC).message
    assert "The gradient for input 2 (c) is wrong" in message
    assert "broadcast" not in message  # already wrong with equal shapes
    message = check("lesson9.mul3", Mul3SummedB).message
    assert (
        "The gradient for input 1 (b) does not have b's shape (Function Mul3SummedBBackward "
        "returned an invalid gradient at index 1 - got [] but expected shape compatible with "
        "[3])." in message
    )
    message = check("lesson9.mul3", Mul3ForgetsBroadcast).message
    assert (
        "The gradient for input 2 (c) is wrong with broadcast shapes a (2, 3), b (3,), "
        "c (2, 1) (gradcheck)." in message
    )
    message = check("lesson9.mul3", Mul3TwoGradients).message
    assert "incorrect number of gradients (expected 3, got 2)" in message


def test_a_wrong_softplus_is_caught_even_when_its_forward_is_right():
    class SoftplusWithTanh(MySoftplus):
        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * (x / 2).tanh()

    assert "input 0 (x) is wrong" in check("lesson9.softplus", SoftplusWithTanh).message


def test_reveal_gives_working_code_hints_for_the_method_exercises():
    for key in ("lesson9.sigmoid", "lesson9.softplus", "lesson9.mul3", "lesson3.fd_w21"):
        result = check(key, reveal=True, **(_lesson()[0] if key.startswith("lesson3") else {}))
        assert result.status == "revealed" and "`" in result.message


# -- predict, then press Next ------------------------------------------------------------------------
def _predict_stepper():
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(-3.0, requires_grad=True)
    c = a * b
    L = c * c + a
    return BackwardStepper(L, names=dict(a=a, b=b, c=c, L=L), predict=True)


def _play(stepper, wrong_at=()):
    for i in range(len(stepper.model.steps)):
        asked = stepper.model.question(i)
        if asked is not None:
            value = asked[1].reshape(-1)[0] + (5 if i in wrong_at else 0)
            stepper.predict(str(float(value)))
        stepper.next()


def test_a_stepper_predicted_right_all_the_way_passes():
    stepper = _predict_stepper()
    result = check("lesson9.predict_steps", stepper)
    assert result.status == "wrong" and "You predicted 0 of the" in result.message
    _play(stepper)
    assert check("lesson9.predict_steps", stepper).passed


def test_wrong_first_predictions_are_counted():
    stepper = _predict_stepper()
    _play(stepper, wrong_at={1, 2})
    message = check("lesson9.predict_steps", stepper).message
    assert "2 of your" in message and "first predictions were off" in message


def test_a_stepper_of_another_graph_is_refused():
    a = torch.tensor(2.0, requires_grad=True)
    other = BackwardStepper(a * a, predict=True)
    assert "does not step through this exercise's" in check("lesson9.predict_steps", other).message
    assert "stepper itself" in check("lesson9.predict_steps", 37.0).message


def test_the_result_draws_the_students_function_in_the_stepper():
    stepper = check("lesson9.mul3", Mul3).stepper
    names = [step.node.name() for step in stepper.model.steps]
    assert names[:2] == ["SumBackward0", "Mul3Backward"]
    stepper.go(len(stepper.model.steps) - 1)
    grads = stepper.leaf_grads()
    assert set(grads) == {"a", "b", "c"} and all(g is not None for g in grads.values())
    wrong = check("lesson9.mul3", Mul3WrongC)
    assert wrong.stepper is not None  # a wrong backward can be watched too
    assert (
        check("lesson9.mul3", 3).stepper is None
        and check("lesson1.batch_shape", (4, 3)).stepper is None
    )
