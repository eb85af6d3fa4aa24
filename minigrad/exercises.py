"""Self-checking exercises for the lessons in ``notebooks/``.

In a lesson::

    from minigrad.exercises import check
    answer = ...  # your code here
    check("lesson3.mse_db", answer, x=x, y=y, w=w, b=b)

``check`` returns a small result that Jupyter shows as a coloured box (and as one line of plain
text elsewhere): correct, not yet (with a hint), or not answered yet while ``answer`` is still the
placeholder ``...``. Hints are graded: the first miss gets a nudge (which idea to use), the next
ones a closer hint, and only ``check(key, reveal=True, ...)`` shows the answer. That answer is not
stored anywhere: it is computed when you call ``check``, by running minigrad on the problem itself
(the lesson's tensors you pass in, or the small problem stated in the exercise).

Some exercises check the method, not only the result:

- "by hand" derivations take their intermediate steps too:
  ``check("lesson3.dx", answer, steps={"dz": dz}, ...)`` says which step went wrong;
- the finite-difference exercise takes your function and runs it on a function that has no
  backward at all, so only a real finite difference passes;
- "write your own backward" exercises take your ``minigrad.autograd.Function`` subclass and
  ``gradcheck`` it on random float64 inputs (broadcast shapes too), naming the input whose
  gradient is wrong (``check(...).stepper`` then shows the Function at work in the stepper);
- the predict-then-Next exercise takes a ``BackwardStepper(..., predict=True)`` and counts the
  first tries.

``describe(key)`` returns the task in words, ``keys()`` lists every exercise, ``reset()`` forgets
the misses counted so far (the hints start again from the nudge).
"""

import html
import re
from dataclasses import dataclass, field

import numpy as np

import minigrad as torch  # the solvers read like the lessons
from .autograd.graph import nodes as graph_nodes

_EXERCISES = {}
_misses = {}  # exercise key -> how many wrong answers so far (chooses the hint)


@dataclass(frozen=True)
class _Exercise:
    key: str
    solve: object  # solve(**given) -> the expected answer (or, for methods, the probes)
    kind: str  # "numbers", "shape", "set", "value", "flags", "function", "backward", "stepper"
    hints: tuple  # (nudge, closer hint): the nudge names the idea, never the answer
    solution: str  # shown with reveal=True; formulas in `backticks`
    needs: tuple  # names of lesson tensors the caller must pass
    rtol: float
    atol: float
    steps: dict = field(default_factory=dict)  # intermediate step name -> solver(**given)

    @property
    def task(self):
        text = " ".join((self.solve.__doc__ or "").split())
        if self.steps:
            text += (
                " Intermediate steps you may pass as steps={...}: " + ", ".join(self.steps) + "."
            )
        return text


def _exercise(key, kind, nudge, closer, solution, needs=(), steps=None, rtol=1e-4, atol=1e-6):
    def register(solve):
        _EXERCISES[key] = _Exercise(
            key, solve, kind, (nudge, closer), solution, tuple(needs), rtol, atol, dict(steps or {})
        )
        return solve

    return register


def keys():
    """Every exercise key, in lesson order."""
    return list(_EXERCISES)


def describe(key):
    """The task of one exercise, in words."""
    return _get(key).task


def reset(key=None):
    """Forget the wrong answers counted so far (for one exercise, or all): hints restart."""
    if key is None:
        _misses.clear()
    else:
        _misses.pop(_get(key).key, None)


# -- the result a student sees ----------------------------------------------------------------------
_STYLE = {  # status: (symbol, title, border colour, background)
    # symbols from common text fonts (emoji need an emoji font, which many Linux machines lack)
    "correct": ("✔", "Correct!", "#2e7d32", "#e8f5e9"),
    "wrong": ("✘", "Not yet.", "#c62828", "#ffebee"),
    "todo": ("✎", "Not answered yet.", "#9e9e9e", "#f5f5f5"),
    "revealed": ("→", "The answer.", "#1565c0", "#e3f2fd"),
}


class Result:
    """What ``check`` returns: ``.status`` is "correct", "wrong", "todo" or "revealed";
    ``.passed`` a bool; ``.hint_level`` 0 (no hint), 1 (the nudge) or 2 (the closer hint)."""

    def __init__(self, key, status, message="", hint_level=0):
        self.key, self.status, self.message, self.hint_level = key, status, message, hint_level
        self._stepper = None  # write-your-own-backward exercises: builds a BackwardStepper

    @property
    def stepper(self):
        """For the write-your-own-backward exercises: your Function in a ``BackwardStepper``, run
        on the small float64 inputs of the check (``None`` for other exercises)."""
        return self._stepper() if self._stepper is not None else None

    @property
    def passed(self):
        return self.status == "correct"

    def __repr__(self):
        symbol, title, _, _ = _STYLE[self.status]
        message = self.message.replace("`", "") if self.status == "revealed" else self.message
        return f"{symbol} {self.key}: {title}" + (f" {message}" if message else "")

    def _repr_html_(self):
        symbol, title, border, background = _STYLE[self.status]
        message = f" {html.escape(self.message)}" if self.message else ""
        if self.status == "revealed":  # the solution's formulas in `backticks` as code
            message = re.sub(r"`([^`]+)`", r"<code>\1</code>", message)
        return (
            f'<div class="minigrad-check minigrad-check-{self.status}" '
            f'style="border-left: 4px solid {border}; background: {background}; '
            f'color: #1b1b1b; padding: 4px 10px; margin: 2px 0;">'
            f'{symbol} <code style="color: inherit; background: transparent;">'
            f"{html.escape(self.key)}</code>: <b>{title}</b>{message}</div>"
        )


class _Form(str):
    """A complaint about the answer's *form* (a string where a number was asked): it does not
    count as a miss, so it never moves the hints on."""


def check(key, answer=..., *, reveal=False, steps=None, **given):
    """Compare ``answer`` with the answer to exercise ``key`` (computed now, never shown unless
    ``reveal=True``).

    ``given``: the lesson's tensors the exercise is about (a clear error names any missing);
    ``steps``: intermediate results of a derivation by hand, such as ``{"dz": dz}``.
    """
    exercise = _get(key)
    missing = [name for name in exercise.needs if name not in given]
    if missing:
        raise TypeError(
            f"check({key!r}, answer, ...) also needs the lesson's "
            + ", ".join(f"{n}={n}" for n in missing)
        )
    steps = dict(steps or {})
    unknown = [name for name in steps if name not in exercise.steps]
    if unknown:
        raise TypeError(
            f"exercise {key!r} has no step called {unknown[0]!r}; its steps are: "
            + (", ".join(exercise.steps) or "none")
        )
    try:
        with (
            torch.enable_grad()
        ):  # the solvers run backward, even when check() is called in no_grad()
            expected = exercise.solve(**{n: given[n] for n in exercise.needs})
    except Exception as error:  # the lesson's tensors were changed: say so, no traceback
        return Result(
            key,
            "wrong",
            "The tensors passed to check() do not fit this exercise "
            f"({type(error).__name__}: {error}). Run the lesson's first "
            "cells again to rebuild them.",
        )
    if reveal:
        return Result(key, "revealed", _revealed(exercise, expected))
    step_note, step_wrong = _check_steps(exercise, steps, given)
    if answer is ...:
        if step_wrong:  # a wrong step is a real miss: the hints move on
            return _miss(exercise, step_note)
        message = "Replace the ... with your answer, then run the cell again."
        return Result(key, "todo", f"{step_note} {message}" if step_note else message)
    if answer is None:
        return _miss(exercise, _Form("Your answer is None: did you forget to assign it?"))
    problem = _COMPARE[exercise.kind](answer, expected, exercise)
    if problem is None:
        result = Result(key, "correct")
    else:
        if step_note:
            problem = type(problem)(f"{problem} {step_note}")
        result = _miss(exercise, problem)
    if exercise.kind == "backward" and not isinstance(problem, _Form):
        result._stepper = lambda: _stepper_of(answer, expected)
    return result


def _miss(exercise, problem):
    """A wrong answer: the nudge the first time, the closer hint after that (a complaint about
    the answer's form gives the current hint without moving on)."""
    misses = _misses.get(exercise.key, 0)
    if not isinstance(problem, _Form):
        misses += 1
        _misses[exercise.key] = misses
    nudge, closer = exercise.hints
    if misses <= 1:
        text, level = f"Hint: {nudge}", 1
    else:
        text, level = (
            (f"Closer hint: {closer} Still stuck? check(..., reveal=True) shows the answer."),
            2,
        )
    return Result(exercise.key, "wrong", f"{problem} {text}".strip(), hint_level=level)


def _check_steps(exercise, steps, given):
    """A sentence about the intermediate steps passed (the first wrong one, or that they are
    right), and whether one is wrong."""
    if not steps:
        return "", False
    right = []
    for name, value in steps.items():
        with torch.enable_grad():
            want = exercise.steps[name](**{n: given[n] for n in exercise.needs})
        problem = _compare_numbers(value, want, exercise)
        if problem is not None:
            return f"Your step {name} is not right yet ({problem.rstrip('.')}): fix it first.", True
        right.append(name)
    names = " and ".join(right)
    return f"Your step {names} {'is' if len(right) == 1 else 'are'} right.", False


def _revealed(exercise, expected):
    if exercise.kind in ("function", "backward", "stepper"):
        return exercise.solution
    return f"{_shown(expected)}. {exercise.solution}"


def _shown(value):
    if isinstance(value, set):
        return "{" + ", ".join(sorted(repr(v) for v in value)) + "}"
    if hasattr(value, "detach"):
        return repr(value.detach())
    return repr(value)


def _get(key):
    try:
        return _EXERCISES[key]
    except KeyError:
        raise KeyError(
            f"no exercise called {key!r}; the exercises are: {', '.join(_EXERCISES)}"
        ) from None


# -- comparing (each returns None when right, else a sentence that does not give the answer away) ---
def _as_array(value):
    if hasattr(value, "detach"):  # a minigrad or PyTorch tensor
        value = value.detach()
        value = value.numpy() if hasattr(value, "numpy") else value
    return np.asarray(value, dtype=np.float64)


def _compare_numbers(answer, expected, exercise):
    try:
        got = _as_array(answer)
    except (TypeError, ValueError):
        return _Form(f"Your answer should be a number or a tensor, not {type(answer).__name__}.")
    want = _as_array(expected)
    if got.size == 1 and want.size == 1:
        got, want = got.reshape(()), want.reshape(())
    if got.shape != want.shape:
        return f"Your answer has shape {tuple(got.shape)}, which is not the shape of the answer."
    if not np.all(np.isfinite(got)):
        return "Your answer contains nan or inf."
    if np.allclose(got, want, rtol=exercise.rtol, atol=exercise.atol):
        return None
    if want.size > 1:
        wrong = int(np.sum(~np.isclose(got, want, rtol=exercise.rtol, atol=exercise.atol)))
        return f"{wrong} of the {want.size} numbers {'is' if wrong == 1 else 'are'} off."
    return "The value is off."


def _plain(item):
    """A one-number tensor or numpy scalar as a plain Python number; anything else unchanged."""
    if isinstance(item, (str, bytes)) or not hasattr(item, "item"):
        return item
    try:
        if int(np.prod(getattr(item, "shape", ()))) == 1:
            return item.item()
    except Exception:  # an object with an unrelated .item: leave it as it is
        pass
    return item


def _is_number(item):
    return isinstance(item, (int, float, np.number)) and not isinstance(item, (bool, np.bool_))


def _compare_shape(answer, expected, exercise):
    message = _Form("Your answer should be a shape: a tuple of whole numbers such as (2, 7).")
    if isinstance(answer, (str, bytes)):
        return message
    try:
        items = [_plain(n) for n in answer]
    except Exception:  # not iterable (a number, a 0-d tensor, ...)
        return message
    if not all(_is_number(n) and float(n).is_integer() for n in items):
        if getattr(answer, "ndim", 0) >= 1:  # the result itself rather than its shape
            return _Form(
                "Your answer is a tensor (or array) of numbers, not a shape: answer with a "
                "tuple of whole numbers such as (2, 7), as .shape prints it."
            )
        return message
    return None if tuple(int(n) for n in items) == tuple(expected) else "That is not the shape."


def _normal(item):
    item = _plain(item)
    if isinstance(item, str):
        return item.strip()
    if _is_number(item):
        # 6 significant digits: 1.1 typed by hand and 1.1 stored as float32 are the same answer
        return float(f"{float(item):.6g}")
    return item


def _compare_set(answer, expected, exercise):
    form = _Form("Your answer should be a set, such as {'a', 'b'} or {0.5, 3.0}.")
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        return form
    try:
        got = {_normal(a) for a in answer}
    except TypeError:  # lists inside the answer: they cannot go in a set
        return form
    want = {_normal(e) for e in expected}
    if all(isinstance(e, str) for e in want) and not all(isinstance(g, str) for g in got):
        return _Form(
            "Answer with the names, as strings in quotes, such as {'a', 'b'}: "
            "not with the tensors themselves."
        )
    if all(isinstance(e, float) for e in want) and any(isinstance(g, str) for g in got):
        return _Form("Answer with numbers, such as {0.5, 3.0}: not with strings in quotes.")
    if got == want:
        return None
    if got < want:
        return "Some are missing."
    if got > want:
        return "Some of these do not belong."
    return "Not the right set."


def _compare_value(answer, expected, exercise):
    if isinstance(expected, str):
        if not isinstance(answer, str):
            if callable(getattr(answer, "name", None)) and hasattr(answer, "next_functions"):
                return _Form(
                    "Your answer is a graph node, not its name: answer with a string, "
                    "as the node's .name() gives it."
                )
            return _Form(
                "Your answer should be a string (a node's name, in quotes), "
                f"not {type(answer).__name__}."
            )
        return None if answer.strip() == expected else "That is not it."
    if isinstance(expected, bool):
        if not isinstance(answer, (bool, np.bool_)):
            return _Form("Your answer should be True or False.")
        return None if bool(answer) == expected else "That is not it."
    if isinstance(expected, int):
        value = _plain(answer)
        if isinstance(value, float) and value.is_integer():  # 2.0 counts as the whole number 2
            value = int(value)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            return _Form(f"Your answer should be a whole number, not {type(answer).__name__}.")
        return None if int(value) == expected else "That is not the number."
    raise TypeError(f"exercise {exercise.key!r}: cannot compare {type(expected).__name__}")


def _compare_flags(answer, expected, exercise):
    form = _Form(f"Your answer should be a tuple of {len(expected)} True/False values.")
    try:
        got = tuple(answer)
    except TypeError:
        return form
    if len(got) != len(expected) or not all(isinstance(g, (bool, np.bool_)) for g in got):
        return form
    wrong = sum(bool(g) != e for g, e in zip(got, expected))
    if wrong == 0:
        return None
    return f"{wrong} of the {len(expected)} {'is' if wrong == 1 else 'are'} wrong."


# -- method checks: a finite difference, a backward written by the student, predictions --------------
@dataclass(frozen=True)
class _Probe:
    """One call of the student's finite-difference function: ``fn(f, t, index)`` should be close
    to ``exact``; ``what`` names the function in feedback."""

    f: object
    t: object
    index: tuple
    exact: float
    what: str


def _compare_function(answer, probes, exercise):
    if not callable(answer) or isinstance(answer, type) or hasattr(answer, "grad_fn"):
        return _Form(
            "This exercise asks for your function itself (answer = central_difference), "
            f"not {type(answer).__name__}: check runs it on other functions too."
        )
    for probe in probes:
        t = probe.t
        before = t.detach().clone()
        try:
            got = answer(probe.f, t, probe.index)
        except Exception as error:
            return (
                f"On {probe.what}, your function raised {type(error).__name__}: {error}. "
                "Use values of f only (no backward), on copies of t."
            )
        if not torch.equal(t.detach(), before):
            return (
                f"On {probe.what}, your function changed t itself: nudge a copy "
                "(t.detach().clone()) so the tensor you were given stays as it was."
            )
        try:
            value = _as_array(got)
        except (TypeError, ValueError):
            return _Form(f"Your function should return a number, not {type(got).__name__}.")
        if value.size != 1:
            return (
                f"Your function should return one number (the derivative for t[index]), "
                f"not {value.size} of them."
            )
        if not np.isclose(value.reshape(()), probe.exact, rtol=exercise.rtol, atol=exercise.atol):
            return f"On {probe.what}, your estimate is off."
    return None


@dataclass(frozen=True)
class _BackwardTask:
    """A Function the student writes: ``reference(*inputs)`` gives the forward's values; ``cases``
    lists input shapes to try (the same shapes first, broadcast ones after)."""

    reference: object
    names: tuple
    cases: tuple


def _compare_backward(answer, task, exercise):
    from .autograd.function import Function
    from .autograd.gradcheck import (
        GradcheckError,
        _check_multiplied_by_grad_output,
        _first_mismatch,
    )

    if not (isinstance(answer, type) and issubclass(answer, Function)):
        hint = " (not its .apply)" if getattr(answer, "__name__", "") == "apply" else ""
        return _Form(
            "Answer with your class itself, as in answer = MySigmoid"
            + hint
            + ": a subclass of torch.autograd.Function with forward and backward."
        )
    for method in ("forward", "backward"):
        if getattr(answer, method) is getattr(Function, method):
            return _Form(f"Your class has no {method} yet: define it as a @staticmethod.")
    rng = np.random.default_rng(2024)
    for shapes in task.cases:
        inputs = tuple(
            torch.tensor(rng.uniform(-2, 2, size=s), dtype=torch.float64, requires_grad=True)
            for s in shapes
        )
        where = ""
        if len(set(shapes)) > 1:
            where = " with broadcast shapes " + ", ".join(
                f"{n} {tuple(s)}" for n, s in zip(task.names, shapes)
            )
        try:
            out = answer.apply(*inputs)
        except Exception as error:
            return f"Your forward raised {type(error).__name__}: {error}."
        if not hasattr(out, "grad_fn"):
            return _Form(f"Your forward should return a tensor, not {type(out).__name__}.")
        want = task.reference(*(t.detach() for t in inputs))
        if tuple(out.shape) != tuple(want.shape):
            return f"Your forward returns shape {tuple(out.shape)}{where}: not the right shape."
        if not np.allclose(out.detach().numpy(), want.numpy(), rtol=1e-6, atol=1e-9):
            return f"Your forward gives the wrong values{where}: fix it before the backward."
        try:  # first whether grad_output is used at all, then every Jacobian
            _check_multiplied_by_grad_output([out], inputs)
            found = _first_mismatch(answer.apply, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)
        except GradcheckError as error:
            if "not multiplied by grad_output" in str(error):
                return (
                    "Your backward ignores grad_output (the gradient arriving from above): "
                    "the chain rule multiplies by it."
                )
            return f"gradcheck: {error}"
        except RuntimeError as error:
            index = re.search(r"invalid gradient at index (\d+)", str(error))
            if index:
                i = int(index.group(1))
                return (
                    f"The gradient for input {i} ({task.names[i]}) does not have "
                    f"{task.names[i]}'s shape{where} ({error})."
                )
            return f"Running your backward failed{where}: {error}"
        except Exception as error:
            return f"Your backward raised {type(error).__name__}{where}: {error}."
        if found is not None:
            _, j, _ = found
            return f"The gradient for input {j} ({task.names[j]}) is wrong{where} (gradcheck)."
    return None


def _stepper_of(function, task):
    """The student's Function on the first case's inputs (small, rounded, float64), summed."""
    from .widgets import BackwardStepper

    rng = np.random.default_rng(7)
    inputs = {
        name: torch.tensor(
            np.round(rng.uniform(-2, 2, size=shape), 1), dtype=torch.float64, requires_grad=True
        )
        for name, shape in zip(task.names, task.cases[0])
    }
    out = function.apply(*inputs.values())
    total = out.sum()
    return BackwardStepper(total, names=dict(inputs, out=out, total=total))


def _compare_stepper(answer, expected, exercise):
    model = getattr(answer, "model", None)
    if model is None or not hasattr(model, "question"):
        return _Form("Answer with your stepper itself (the BackwardStepper(..., predict=True)).")
    if [step.node.name() for step in model.steps] != list(expected):
        return _Form(
            "Your stepper does not step through this exercise's L = c * c + a: build it "
            "with BackwardStepper(L, predict=True) from that L."
        )
    asked = [i for i in range(len(model.steps)) if model.question(i) is not None]
    done = [i for i in asked if i in model.predictions]
    if len(done) < len(asked):
        return (
            f"You predicted {len(done)} of the {len(asked)} steps so far: type a prediction "
            "and press Check before each Next."
        )
    wrong = sum(not model.predictions[i] for i in asked)
    if wrong:
        return (
            f"{wrong} of your {len(asked)} first predictions {'was' if wrong == 1 else 'were'} "
            "off: run the cell again and predict those steps once more."
        )
    return None


_COMPARE = {
    "numbers": _compare_numbers,
    "shape": _compare_shape,
    "set": _compare_set,
    "value": _compare_value,
    "flags": _compare_flags,
    "function": _compare_function,
    "backward": _compare_backward,
    "stepper": _compare_stepper,
}


# -- helpers for the solvers --------------------------------------------------------------------------
def _fresh(t):
    """A copy of a lesson tensor that is a new leaf, so checking never touches the student's graph."""
    return t.detach().clone().requires_grad_(t.requires_grad)


def _one_layer(x, y, w, b):
    """The seed's network on copies of the lesson's tensors: (x, y, w, b, z, loss)."""
    x, y, w, b = (_fresh(t) for t in (x, y, w, b))
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    return dict(x=x, y=y, w=w, b=b, z=z, loss=loss)


def _seed_graph():
    return _one_layer(
        torch.ones(5),
        torch.zeros(3),
        torch.zeros(5, 3, requires_grad=True),
        torch.zeros(3, requires_grad=True),
    )


# -- lesson 1: tensors and a one-layer network -------------------------------------------------------
@_exercise(
    "lesson1.batch_shape",
    "shape",
    "Work the shape out one operation at a time: first the matrix product, then the addition.",
    "A product (n, k) @ (k, m) has n rows and m columns; adding a vector of length m "
    "broadcasts it to every row and keeps the shape.",
    "`(4, 5) @ (5, 3)` gives `(4, 3)`, and `+ b` broadcasts b over the 4 rows.",
)
def _batch_shape():
    """X = torch.ones(4, 5) is a batch of four inputs. What is the shape of
    torch.matmul(X, w) + b for the lesson's w (5x3) and b (3)? Answer with a tuple."""
    return tuple((torch.matmul(torch.ones(4, 5), torch.zeros(5, 3)) + torch.zeros(3)).shape)


def _sigmoid_of_z(z, y):
    return z.detach().sigmoid()


@_exercise(
    "lesson1.loss_by_hand",
    "numbers",
    "It is binary cross-entropy, written with the sigmoid of each logit: look its formula up "
    "in the lesson and average it over the outputs.",
    "Per output: -[y·log σ(z) + (1-y)·log(1-σ(z))], with σ(z) = 1/(1+exp(-z)); then the mean "
    "over the 3 outputs. Tensors have .sigmoid(), .log() and .mean().",
    "`s = z.sigmoid()`, then `(-(y * s.log() + (1 - y) * (1 - s).log())).mean()`.",
    needs=("z", "y"),
    steps={"s": _sigmoid_of_z},
)
def _loss_by_hand(z, y):
    """Compute the binary cross-entropy loss of the lesson's z and y from its formula, without
    calling binary_cross_entropy_with_logits."""
    return torch.nn.functional.binary_cross_entropy_with_logits(z.detach(), y.detach())


@_exercise(
    "lesson1.requires_grad",
    "set",
    "Look at how each tensor was made: which ones did we ask gradients for, and what was "
    "computed from those?",
    "A tensor requires grad when it was created with requires_grad=True, or when it was "
    "computed from one that does; x and y were created without it.",
    "w and b were created with requires_grad=True; z and loss are computed from them, and "
    "`x` and `y` were created without it.",
)
def _requires_grad():
    """Which of x, y, w, b, z, loss have requires_grad=True? Answer with a set of names,
    such as {'x', 'y'}."""
    return {name for name, t in _seed_graph().items() if t.requires_grad}


# -- lesson 2: tensors, functions and computational graphs ---------------------------------------------
@_exercise(
    "lesson2.leaves",
    "set",
    "A leaf is a tensor that no recorded operation produced.",
    "Look at each tensor's grad_fn: a leaf has grad_fn None, and tensors that do not "
    "require grad count as leaves too.",
    "They were created, not computed; `z.grad_fn` and `loss.grad_fn` are nodes.",
)
def _leaves():
    """Which of x, y, w, b, z, loss are leaves (is_leaf is True)? Answer with a set of names."""
    return {name for name, t in _seed_graph().items() if t.is_leaf}


@_exercise(
    "lesson2.next_node",
    "value",
    "Read u's expression from the outside in: the sum is the last operation, so its input "
    "was made by the operation just before it.",
    "The sum's input is w.exp() times 3, and a node is named after its operation, in "
    "PyTorch's pattern OperationBackward0.",
    "The sum's input is the product of w.exp() and 3.",
)
def _next_node():
    """For u = (w.exp() * 3).sum(), what is the name (a string such as 'ExpBackward0') of
    u.grad_fn.next_functions[0][0]?"""
    w = _seed_graph()["w"]
    u = (w.exp() * 3).sum()
    return u.grad_fn.next_functions[0][0].name()


@_exercise(
    "lesson2.accumulators",
    "value",
    "AccumulateGrad nodes belong to leaves, not to operations.",
    "A leaf that requires grad has a single AccumulateGrad node, however many times it is "
    "used: count the distinct leaves in v.",
    "One for w and one for b: w is used twice but has one node.",
)
def _accumulators():
    """For v = (w * b).sum() + (w ** 2).sum(), how many AccumulateGrad nodes can be reached
    from v.grad_fn by following next_functions? Answer with a whole number."""
    g = _seed_graph()
    w, b = g["w"], g["b"]
    v = (w * b).sum() + (w**2).sum()
    return sum(type(node).__name__ == "AccumulateGrad" for node in graph_nodes([v.grad_fn]))


# -- lesson 3: computing gradients -----------------------------------------------------------------------
def _mse_dz(x, y, w, b):
    g = _one_layer(x, y, w, b)
    return torch.autograd.grad(((g["z"] - g["y"]) ** 2).mean(), g["z"])[0]


@_exercise(
    "lesson3.mse_db",
    "numbers",
    "Use the chain rule through z: first how L changes with z, then how z changes with b.",
    "Differentiate the mean of squares term by term (the mean divides each of the 3 terms "
    "by 3); z = x @ w + b changes one-for-one with b.",
    "dL/dz = `2 * (z - y) / 3`, and dz/db is the identity, so dL/db = dL/dz.",
    needs=("x", "y", "w", "b"),
    steps={"dz": _mse_dz},
)
def _mse_db(x, y, w, b):
    """Take a different loss for the same network: L = ((z - y)**2).mean(). Derive dL/db by hand
    (no backward) from the lesson's x, y, w, b."""
    g = _one_layer(x, y, w, b)
    mse = ((g["z"] - g["y"]) ** 2).mean()
    return torch.autograd.grad(mse, g["b"])[0]


# the probe function's coefficients and point: the same shape as w, another entry asked about
_WAVE = np.array(
    [[0.5, -1.25, 2.0], [1.5, 0.75, -0.5], [1.0, -2.0, 0.25], [0.4, 1.2, -0.8], [-1.5, 0.6, 0.9]]
)
_WAVE_AT = np.array(
    [[0.3, -0.7, 1.1], [0.9, -1.4, 0.2], [-0.6, 1.3, 0.5], [0.8, -0.2, -1.1], [1.2, 0.4, -0.9]],
    dtype=np.float32,
)


def _wave(t):
    """sum(c · sin(t)), computed in numpy: a function with no backward to copy."""
    return torch.tensor(float(np.sum(_WAVE * np.sin(np.asarray(t.detach().numpy(), np.float64)))))


@_exercise(
    "lesson3.fd_w21",
    "function",
    "A finite difference only ever evaluates f: compare its value a little above and a "
    "little below the point, in the one entry you are asked about.",
    "Make two copies of t (t.detach().clone()), add h to entry index of one and subtract h "
    "from the same entry of the other, then divide the difference of the two values of f "
    "by 2h. Never call backward: check also runs your function on an f that has none.",
    "`up, down = t.detach().clone(), t.detach().clone()`; `up[index] += h`; "
    "`down[index] -= h`; return `(f(up) - f(down)).item() / (2 * h)`.",
    needs=("x", "y", "w", "b"),
    rtol=1e-2,
    atol=1e-4,
)
def _fd_w21(x, y, w, b):
    """Write central_difference(f, t, index, h=1e-3): it estimates d f(t) / d t[index] by a central
    finite difference, from values of f only (f takes a tensor shaped like t and returns a
    one-number tensor). Answer with the function itself; check runs it on the lesson's loss as a
    function of w at index (2, 1), and on a function it has never seen, which has no backward."""
    g = _one_layer(x, y, w, b)
    exact = torch.autograd.grad(g["loss"], g["w"])[0][2, 1].item()
    bias, inputs, targets = g["b"].detach(), g["x"].detach(), g["y"].detach()

    def loss_of(t):
        return torch.nn.functional.binary_cross_entropy_with_logits(
            torch.matmul(inputs, t) + bias, targets
        )

    wave_exact = float(_WAVE[3, 2] * np.cos(np.float64(_WAVE_AT[3, 2])))
    return [
        _Probe(loss_of, _fresh(w), (2, 1), exact, "the lesson's loss"),
        _Probe(
            _wave,
            torch.tensor(_WAVE_AT),
            (3, 2),
            wave_exact,
            "a new function with no backward (its values come from numpy)",
        ),
    ]


def _loss_dz(x, y, w, b):
    g = _one_layer(x, y, w, b)
    return torch.autograd.grad(g["loss"], g["z"])[0]


@_exercise(
    "lesson3.dx",
    "numbers",
    "Use the chain rule through z again, this time towards x: how does each z_j depend on "
    "each x_i?",
    "z_j = sum over i of x_i·w[i, j] + b_j, so dz_j/dx_i = w[i, j]; combine that with "
    "dloss/dz_j and add over j.",
    "`torch.matmul(w, dz)` with `dz = (torch.sigmoid(z) - y) / 3`: dloss/dx_i is the sum "
    "over j of w[i, j]·dz_j.",
    needs=("x", "y", "w", "b"),
    steps={"dz": _loss_dz},
)
def _dx(x, y, w, b):
    """If x required grad too, what would x.grad be after loss.backward()? Derive it by hand
    from w and dz = (sigmoid(z) - y) / 3."""
    g = _one_layer(x.detach().requires_grad_(True), y, w, b)
    return torch.autograd.grad(g["loss"], g["x"])[0]


# -- lesson 4: disabling gradient tracking -----------------------------------------------------------------
@_exercise(
    "lesson4.predict",
    "flags",
    "For each one, ask two questions: is grad mode on, and does some input require grad?",
    "detach() gives a tensor that shares the data but does not require grad; inside "
    "torch.no_grad() nothing is recorded; one input that requires grad is enough.",
    "Only (b) and (c) lose the history: `w.detach()` alone, and anything made in `no_grad()`.",
)
def _predict():
    """With w = torch.ones(2, requires_grad=True), predict requires_grad of
    (a) w * 2, (b) w.detach() * 2, (c) w * 2 computed inside torch.no_grad(), (d) w.detach() + w.
    Answer with a tuple of four True/False values."""
    w = torch.ones(2, requires_grad=True)
    a = w * 2
    b = w.detach() * 2
    with torch.no_grad():
        c = w * 2
    d = w.detach() + w
    return tuple(t.requires_grad for t in (a, b, c, d))


@_exercise(
    "lesson4.frozen",
    "set",
    "Freezing decides which parameters receive a .grad, not whether gradients pass through "
    "a layer.",
    "model[2]'s parameters require no grad, so they get none; the gradient still flows "
    "back through that layer to the parameters before it.",
    "The first Linear's parameters: the frozen layer passes the gradient on to them.",
)
def _frozen():
    """model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)); then
    model[2].requires_grad_(False) and model(torch.ones(2, 3)).sum().backward().
    Which names of model.named_parameters() have a .grad that is not None? Answer with a set."""
    nn = torch.nn
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    model[2].requires_grad_(False)
    model(torch.ones(2, 3)).sum().backward()
    return {name for name, p in model.named_parameters() if p.grad is not None}


# -- lesson 5: more on computational graphs ------------------------------------------------------------------
@_exercise(
    "lesson5.twice",
    "numbers",
    "Count how many times a is used in f, and add one contribution per use.",
    "The product a * a contributes a twice (one factor times the other, each way); the "
    "+ a contributes 1.",
    "`2 * a + 1`, which is `7.0` at a = 3.",
)
def _twice():
    """a = torch.tensor(3., requires_grad=True); f = a * a + a; f.backward().
    What is a.grad? Work it out by hand."""
    a = torch.tensor(3.0, requires_grad=True)
    (a * a + a).backward()
    return a.grad


def _doubling(start):
    out = start
    while out.sum() < 10:
        out = out * 2
    return out


@_exercise(
    "lesson5.loop_nodes",
    "value",
    "Run the loop in your head and count the multiplications it records.",
    "The sum starts at 1.5 and doubles each time round; the loop stops as soon as the sum "
    "reaches 10.",
    "The sum goes 1.5, 3, 6, 12: one MulBackward0 per doubling.",
)
def _loop_nodes():
    """def f(a): out = a; while out.sum() < 10: out = out * 2; return out.
    How many MulBackward0 nodes does f(torch.tensor([1., 0.5], requires_grad=True)) record?"""
    with torch.autograd.record_forward() as rec:
        _doubling(torch.tensor([1.0, 0.5], requires_grad=True))
    return sum(step.node.name() == "MulBackward0" for step in rec.steps)


@_exercise(
    "lesson5.steps",
    "value",
    "Backward runs each node of the graph exactly once: count the graph's nodes.",
    "Draw f's graph: one node per operation, and a single AccumulateGrad for a, however "
    "many times a is used.",
    "AddBackward0, MulBackward0 and a's AccumulateGrad.",
)
def _steps():
    """How many steps does backward take for f = a * a + a with
    a = torch.tensor(3., requires_grad=True)? (len(list(torch.autograd.backward_steps(f))))"""
    a = torch.tensor(3.0, requires_grad=True)
    return len(list(torch.autograd.backward_steps(a * a + a, accumulate=False)))


# -- lesson 6: tensor gradients and Jacobian products --------------------------------------------------------
@_exercise(
    "lesson6.jacobian",
    "numbers",
    "Ask which inputs each output depends on: that tells you where J has zeros.",
    "Output i depends only on input i, so only the diagonal is non-zero; on it sits the "
    "derivative of a_i squared.",
    "`torch.diag(2 * a)`: the derivative of a_i squared is 2·a_i, on the diagonal.",
)
def _jacobian():
    """f(a) = a ** 2 at a = torch.tensor([1., 2., 3.]). Write down the Jacobian J (3x3)
    by hand, with J[i, j] = d f_i / d a_j."""
    return torch.autograd.functional.jacobian(lambda a: a**2, torch.tensor([1.0, 2.0, 3.0]))


def _vjp_jacobian():
    return torch.autograd.functional.jacobian(
        lambda a: (a + 1).pow(2), torch.tensor([0.0, 1.0, 2.0])
    )


@_exercise(
    "lesson6.vjp",
    "numbers",
    "backward(v) leaves the vector-Jacobian product in a.grad, not J itself: find J first.",
    "J is diagonal, with the derivative of (a_i + 1) squared on it, so vᵀ·J multiplies v "
    "and that diagonal entry by entry.",
    "`v * 2 * (a + 1)`: J is diagonal with 2(a_i + 1) on it.",
    steps={"J": _vjp_jacobian},
)
def _vjp():
    """a = torch.tensor([0., 1., 2.], requires_grad=True); out = (a + 1).pow(2);
    out.backward(torch.tensor([1., 0., -1.])). What is a.grad? Work it out by hand."""
    a = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
    (a + 1).pow(2).backward(torch.tensor([1.0, 0.0, -1.0]))
    return a.grad


@_exercise(
    "lesson6.three_calls",
    "numbers",
    "Gradients accumulate: work out what one call adds, then count the calls.",
    "One call adds 2(inp + 1) to every entry of inp.grad (times the ones of the gradient "
    "passed in); inp[0, 0] of an eye is 1; nothing zeroes between the calls.",
    "`3 * 2 * (1 + 1)`: three calls, each adding 2(inp[0, 0] + 1).",
)
def _three_calls():
    """inp = torch.eye(4, 5, requires_grad=True); out = (inp + 1).pow(2).t(); then
    out.backward(torch.ones_like(out), retain_graph=True) three times, never zeroing.
    What is inp.grad[0, 0]?"""
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    for _ in range(3):
        out.backward(torch.ones_like(out), retain_graph=True)
    return inp.grad[0, 0]


# -- lesson 7: training with an optimizer ---------------------------------------------------------------------
def _quadratic_steps(steps, lr, zero_grad=True):
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr)
    losses, grads = [], []
    for _ in range(steps):
        if zero_grad:
            opt.zero_grad()
        loss = (w**2).sum()
        losses.append(loss.item())
        loss.backward()
        grads.append(w.grad.clone())
        opt.step()
    return w.detach(), losses, grads


@_exercise(
    "lesson7.sgd_step",
    "numbers",
    "Find w.grad first, then apply the SGD update rule once.",
    "The gradient of (w²).sum() is 2w, and SGD does w ← w - lr · w.grad.",
    "`w - 0.1 * 2 * w`: the gradient is 2w, the step goes against it.",
    steps={"grad": lambda: _quadratic_steps(1, 0.1)[2][0]},
)
def _sgd_step():
    """w = torch.tensor([1., -2.], requires_grad=True); opt = torch.optim.SGD([w], lr=0.1);
    loss = (w ** 2).sum(); loss.backward(); opt.step(). What is w now?"""
    return _quadratic_steps(1, 0.1)[0]


@_exercise(
    "lesson7.forgot_zero",
    "numbers",
    "Without zero_grad(), what is in w.grad when the second step() runs?",
    "The second backward adds 2·w (w as the first step left it) to the gradient already in "
    "w.grad, and the second step() uses that sum.",
    "`w1 = w0 - 0.1 * 2 * w0`, then `w2 = w1 - 0.1 * (2 * w0 + 2 * w1)`.",
    steps={
        "w1": lambda: _quadratic_steps(1, 0.1)[0],
        "grad2": lambda: _quadratic_steps(2, 0.1, zero_grad=False)[2][1],
    },
)
def _forgot_zero():
    """Same w, loss and SGD(lr=0.1), but two training steps (loss, backward, step) and
    no zero_grad() anywhere. What is w after the second step?"""
    return _quadratic_steps(2, 0.1, zero_grad=False)[0]


@_exercise(
    "lesson7.diverge",
    "set",
    "Write one SGD step on this loss as w times a factor that depends on lr.",
    "One step multiplies w by (1 - 2·lr); the loss grows when that factor is bigger than "
    "1 in size.",
    "For those `|1 - 2·lr| > 1`, so w, and the loss, grow every step.",
)
def _diverge():
    """Train loss = (w ** 2).sum() from w = [1., -2.] with SGD for 10 steps (zeroing gradients).
    Which learning rates among 0.01, 0.1, 0.9, 1.1, 2.0 make the loss grow? Answer with a set."""
    grows = set()
    for lr in (0.01, 0.1, 0.9, 1.1, 2.0):
        w, losses, _ = _quadratic_steps(10, lr)
        if (w**2).sum().item() > losses[0]:
            grows.add(lr)
    return grows


# -- lesson 9: autograd mechanics: write your own backward, predict the steps --------------------------------
@_exercise(
    "lesson9.sigmoid",
    "backward",
    "Save in forward what backward will need (ctx.save_for_backward), and remember that "
    "backward receives the gradient of the output and must return that of the input.",
    "The derivative of the sigmoid is best written with its own output s: s times (1 - s). "
    "Multiply it by grad_output, entry by entry.",
    "forward: `s = 1 / (1 + (-x).exp())`, `ctx.save_for_backward(s)`, return s; "
    "backward: `(s,) = ctx.saved_tensors`, return `grad_output * s * (1 - s)`.",
)
def _sigmoid_task():
    """Write class MySigmoid(torch.autograd.Function) with a forward that computes
    1 / (1 + exp(-x)) and a backward that returns the gradient for x. Answer with the class;
    check gradchecks it on random float64 inputs."""
    return _BackwardTask(lambda x: 1 / (1 + (-x).exp()), ("x",), (((2, 3),),))


@_exercise(
    "lesson9.softplus",
    "backward",
    "Differentiate log(1 + exp(x)) with the chain rule, and keep in forward whatever that "
    "derivative needs.",
    "The derivative of log(1 + exp(x)) is exp(x) / (1 + exp(x)): a function you met in the "
    "previous exercise. Multiply it by grad_output.",
    "forward: `ctx.save_for_backward(x)`, return `(1 + x.exp()).log()`; backward: "
    "`(x,) = ctx.saved_tensors`, return `grad_output * x.sigmoid()`.",
)
def _softplus_task():
    """Write class MySoftplus(torch.autograd.Function): forward computes log(1 + exp(x)),
    backward the gradient for x. Answer with the class; check gradchecks it on random float64
    inputs."""
    return _BackwardTask(lambda x: (1 + x.exp()).log(), ("x",), (((4,),), ((2, 3),)))


@_exercise(
    "lesson9.mul3",
    "backward",
    "A product of three inputs has three partial derivatives: backward returns one gradient "
    "per input of forward, in the same order.",
    "The gradient for a is grad_output · b · c, and likewise for b and c. With broadcast "
    "inputs you may return gradients in the output's shape: like PyTorch's, the engine sums "
    "each back to its input's shape.",
    "forward: `ctx.save_for_backward(a, b, c)`, return `a * b * c`; backward: "
    "`a, b, c = ctx.saved_tensors`, return `grad_output * b * c, grad_output * a * c, "
    "grad_output * a * b`.",
)
def _mul3_task():
    """Write class Mul3(torch.autograd.Function) whose forward(ctx, a, b, c) returns a * b * c
    and whose backward returns the three gradients. check gradchecks it with equal shapes, then
    with broadcast shapes: a (2, 3), b (3,), c (2, 1)."""
    return _BackwardTask(
        lambda a, b, c: a * b * c, ("a", "b", "c"), (((3,), (3,), (3,)), ((2, 3), (3,), (2, 1)))
    )


@_exercise(
    "lesson9.predict_steps",
    "stepper",
    "Before each Next, ask what the node about to run receives and what its local "
    "derivative is: the arrow carries their product.",
    "For L = c * c + a with c = a * b: the sum passes its gradient on unchanged; the square "
    "c * c sends 2c times it to c; a collects from two paths.",
    "Step by step: the sum sends 1 to c * c and 1 to a; c * c sends `1 * c = -6` along each "
    "of its two arrows to c (-12 in all); c = a * b sends `-12 * b = 36` to a and "
    "`-12 * a = -24` to b; a.grad is `36 + 1 = 37`, b.grad -24.",
)
def _predict_steps():
    """stepper = BackwardStepper(L, predict=True) for a = 2, b = -3, c = a * b and L = c * c + a
    (all scalars requiring grad). Predict every step (type the gradient, press Check, then Next),
    then pass the stepper to check."""
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(-3.0, requires_grad=True)
    c = a * b
    return [step.node.name() for step in torch.autograd.backward_steps(c * c + a, accumulate=False)]
