"""``minigrad.exercises.check``: right or wrong with graded hints (a nudge first, a closer hint
next, the answer only on ``reveal=True``), a friendly placeholder message, and never the answer in
what a miss shows. Answers are computed from the problem, not stored. Method checks (intermediate
steps, a finite difference run on a function without backward, a student's own backward) are in
tests/test_lessons_exercise_methods.py."""

import html
import re
import warnings

import numpy as np
import pytest

import minigrad as torch
from minigrad import exercises
from minigrad.exercises import Result, check

# exercises whose answer is a value (the method exercises take a function, a class or a widget)
VALUE_KEYS = [
    k for k in exercises.keys() if exercises._get(k).kind not in ("function", "backward", "stepper")
]


@pytest.fixture(autouse=True)
def _fresh_hints():
    exercises.reset()
    yield
    exercises.reset()


def _lesson_tensors(seed=0):
    torch.manual_seed(seed)
    x, y = torch.ones(5), torch.zeros(3)
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    z = torch.matmul(x, w) + b
    return dict(x=x, y=y, w=w, b=b, z=z)


def _given(key, tensors):
    return {name: tensors[name] for name in exercises._get(key).needs}


def _expected(key, tensors):
    return exercises._get(key).solve(**_given(key, tensors))


def _shown(result):
    """The part of what ``check`` shows that depends on the answer: its message (the rest is
    the exercise key and a fixed title)."""
    assert repr(result) == f"✘ {result.key}: Not yet. {result.message}"
    assert html.escape(result.message) in result._repr_html_()
    return result.message


def _wrong_answers(expected):
    """Plausible wrong answers of the same kind as ``expected``."""
    if isinstance(expected, bool):
        return [not expected]
    if isinstance(expected, int):
        return [expected + 1, 0]
    if isinstance(expected, str):
        return ["AddBackward0" if expected != "AddBackward0" else "MulBackward0"]
    if isinstance(expected, tuple) and all(isinstance(e, bool) for e in expected):
        return [tuple(not e for e in expected), (True,) * len(expected)]
    if isinstance(expected, tuple):
        return [tuple(reversed(expected)) if len(set(expected)) > 1 else (1,), (1, 2, 3)]
    if isinstance(expected, set):
        return [set(list(expected)[:1]), expected | {"q"}, {"q"}]
    values = np.asarray(expected.detach().numpy() if hasattr(expected, "detach") else expected)
    return [values + 0.5, values * 0 + 1e3, values.reshape(-1)[:1] if values.size > 1 else [1, 2]]


def _number_texts(expected):
    """Ways the expected numbers could be written in a message."""
    if isinstance(expected, (bool, str, set)):
        return []
    if isinstance(expected, tuple) and all(isinstance(e, bool) for e in expected):
        return []
    if isinstance(expected, tuple):
        return [str(expected), ", ".join(map(str, expected))]
    values = np.asarray(
        expected.detach().numpy() if hasattr(expected, "detach") else expected, dtype=float
    ).reshape(-1)
    texts = []
    for v in values:
        if float(v).is_integer():
            if abs(v) > 2:  # small whole numbers appear in hints such as "2a"
                texts.append(rf"(?<![\d.]){int(v)}(?![\d.])")
        else:
            texts += [re.escape(f"{v:.{d}f}") for d in (2, 3, 4)]
    return texts


def _assert_no_answer(text, expected):
    if isinstance(expected, (str, tuple, set)):
        assert repr(expected) not in text
    if isinstance(expected, set):
        assert all(repr(e) not in text for e in expected if e not in ("x", "y", "w", "b", "z"))
    for pattern in _number_texts(expected):
        assert not re.search(pattern, text), f"{pattern!r} shown in {text!r}"


@pytest.mark.parametrize("key", exercises.keys())
def test_placeholder_is_friendly(key, capsys):
    tensors = _lesson_tensors()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = check(key, ..., **_given(key, tensors))
    assert result.status == "todo" and not result.passed
    assert "Not answered yet" in repr(result) and "Not answered yet" in result._repr_html_()
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("key", VALUE_KEYS)
def test_right_answer_passes_and_wrong_ones_get_graded_hints_not_the_answer(key, capsys):
    tensors = _lesson_tensors()
    expected = _expected(key, tensors)
    nudge, closer = exercises._get(key).hints
    assert check(key, expected, **_given(key, tensors)).passed
    for n, wrong in enumerate(_wrong_answers(expected)):
        result = check(key, wrong, **_given(key, tensors))
        assert result.status == "wrong", (key, wrong)
        text = _shown(result)
        if result.hint_level == 1:  # the first miss, or answers of the wrong form before the second
            assert text.endswith(f"Hint: {nudge}") and closer not in text
        else:
            assert n > 0 and result.hint_level == 2 and f"Closer hint: {closer}" in text
            assert "reveal=True" in text and nudge not in text
        assert n > 0 or result.hint_level == 1
        _assert_no_answer(text, expected)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("key", VALUE_KEYS)
def test_reveal_shows_the_answer_only_when_asked(key):
    tensors = _lesson_tensors()
    expected = _expected(key, tensors)
    result = check(key, reveal=True, **_given(key, tensors))
    assert result.status == "revealed" and not result.passed
    assert repr(result).startswith(f"→ {key}: The answer. ")
    assert "`" not in repr(result)
    assert ("`" in exercises._get(key).solution) == ("<code>" in result._repr_html_())
    shown = result.message
    if isinstance(expected, set):
        assert all(repr(e) in shown for e in expected)
    elif hasattr(expected, "detach"):
        assert repr(expected.detach()) in shown
    else:
        assert repr(expected) in shown


# -- the first hint (the nudge) names the idea, never the answer --------------------------------------
_OPERATOR_WORD = re.compile(r"[^\s,;:]*(?:[=*/·@²←+ᵀ]|\d[A-Za-z(]|[A-Za-z)]\d)[^\s,;:]*")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")


def _squash(text):
    return re.sub(r"\s+", "", text)


def _leaks(nudge, solution, task, expected=None):
    """What of the solution a nudge gives away: a `formula` of the solution, a number of the
    solution or of the answer, or any formula that the task does not state itself."""
    found = []
    for fragment in re.findall(r"`([^`]+)`", solution):
        if _squash(fragment) in _squash(nudge) and _squash(fragment) not in _squash(task):
            found.append(fragment)
    task_numbers = set(_NUMBER.findall(task))
    for number in set(_NUMBER.findall(solution)) - task_numbers:
        if re.search(rf"(?<![\w.]){re.escape(number)}(?![\w.])", nudge):
            found.append(number)
    for word in _OPERATOR_WORD.findall(nudge):
        if word.strip("().") and _squash(word) not in _squash(task):
            found.append(word)
    if expected is not None:
        found += [p for p in _number_texts(expected) if re.search(p, nudge)]
    return found


@pytest.mark.parametrize("key", exercises.keys())
def test_no_first_hint_contains_the_solutions_numbers_or_expressions(key):
    exercise = exercises._get(key)
    nudge, closer = exercise.hints
    expected = _expected(key, _lesson_tensors()) if key in VALUE_KEYS else None
    assert _leaks(nudge, exercise.solution, exercise.task, expected) == []
    assert nudge != closer and len(nudge) > 20 and len(exercise.solution) > 20


def test_the_leak_check_catches_the_hints_we_used_to_give():
    """The former first hints of 3.1, 6.2 and 7.1 gave the answer away: the check must say so."""
    former = {
        "lesson3.mse_db": "L = mean((z - y)²) over 3 outputs, so dL/dz = 2(z - y)/3; and "
        "dz/db is the identity.",
        "lesson6.vjp": "backward(v) puts vᵀ·J into a.grad; here J is diagonal with 2(a_i + 1) "
        "on it.",
        "lesson7.sgd_step": "SGD does w ← w - lr · w.grad, and the gradient of (w²).sum() is 2w.",
    }
    for key, hint in former.items():
        exercise = exercises._get(key)
        assert _leaks(hint, exercise.solution, exercise.task), key


def test_hints_are_graded_and_a_malformed_answer_does_not_move_them_on():
    t = _lesson_tensors()
    nudge, closer = exercises._get("lesson3.mse_db").hints
    first = check("lesson3.mse_db", "three numbers", **t)  # the form is wrong: the nudge
    assert (
        first.hint_level == 1 and nudge in first.message and "number or a tensor" in first.message
    )
    second = check("lesson3.mse_db", [0.0, 0.0, 0.0], **t)  # a real miss, but the first one
    assert second.hint_level == 1 and nudge in second.message
    third = check("lesson3.mse_db", [1.0, 1.0, 1.0], **t)
    assert third.hint_level == 2 and closer in third.message and nudge not in third.message
    assert check("lesson3.mse_db", None, **t).hint_level == 2  # it stays closer
    assert check("lesson3.dx", [0.0] * 5, **t).hint_level == 1  # each exercise counts its own
    exercises.reset("lesson3.mse_db")
    assert check("lesson3.mse_db", [0.0, 0.0, 0.0], **t).hint_level == 1
    assert check("lesson3.mse_db", ..., **t).status == "todo"  # a placeholder is no miss
    assert check("lesson3.mse_db", [0.0, 0.0, 0.0], **t).hint_level == 2


def test_reveal_never_counts_and_needs_no_answer():
    t = _lesson_tensors()
    assert check("lesson3.mse_db", reveal=True, **t).status == "revealed"
    assert check("lesson3.mse_db", [0.0, 0.0, 0.0], **t).hint_level == 1
    assert check("lesson3.mse_db", [0.0, 0.0, 0.0], reveal=True, **t).status == "revealed"


@pytest.mark.parametrize("key", exercises.keys())
def test_every_exercise_states_its_task(key):
    assert len(exercises.describe(key)) > 30


@pytest.mark.parametrize(
    "answer", ["abc", None, object(), [1, 2, 3], float("nan"), {"a": 1}, (1.5, "x")]
)
def test_odd_answers_never_raise(answer, capsys):
    tensors = _lesson_tensors()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for key in exercises.keys():
            result = check(key, answer, **_given(key, tensors))
            assert result.status == "wrong", (key, answer)
    assert capsys.readouterr() == ("", "")


def test_answers_are_computed_from_the_lesson_tensors():
    """Other w and b, other right answer: nothing is a stored literal."""
    first, second = _lesson_tensors(0), _lesson_tensors(1)
    for key in ("lesson3.mse_db", "lesson3.dx", "lesson1.loss_by_hand"):
        a, b = _expected(key, first), _expected(key, second)
        assert not np.allclose(a.numpy(), b.numpy())
        assert check(key, b, **_given(key, second)).passed
        assert not check(key, b, **_given(key, first)).passed


def test_hand_derivations_pass():
    t = _lesson_tensors()
    x, y, w, z = t["x"], t["y"], t["w"], t["z"]
    with torch.no_grad():
        dz = (torch.sigmoid(z) - y) / 3
        assert check("lesson3.dx", torch.matmul(w, dz), **t).passed
        assert check("lesson3.mse_db", (2 * (z - y) / 3).tolist(), **t).passed
    s = z.sigmoid()
    assert check(
        "lesson1.loss_by_hand", (-(y * s.log() + (1 - y) * (1 - s).log())).mean(), z=z, y=y
    ).passed
    assert check("lesson1.batch_shape", torch.Size([4, 3])).passed
    assert check("lesson1.batch_shape", [4, 3]).passed
    assert check("lesson6.jacobian", np.diag([2.0, 4.0, 6.0])).passed
    assert check("lesson7.diverge", [2, 1.1]).passed
    assert check("lesson2.next_node", " MulBackward0").passed


def test_checking_leaves_the_students_tensors_alone():
    t = _lesson_tensors()
    versions = {k: v._version for k, v in t.items()}
    for key in exercises.keys():
        check(key, 0.0, **_given(key, t))
    assert t["w"].grad is None and t["b"].grad is None
    assert {k: v._version for k, v in t.items()} == versions
    assert t["z"].grad_fn.name() == "AddBackward0"
    assert torch.is_grad_enabled()


def test_missing_lesson_tensors_and_unknown_keys_are_clear_errors():
    with pytest.raises(TypeError, match="also needs the lesson's x=x, y=y, w=w, b=b"):
        check("lesson3.mse_db", [0.0, 0.0, 0.0])
    with pytest.raises(KeyError, match="no exercise called 'lesson9.nope'"):
        check("lesson9.nope", 1)


def test_result_display():
    ok, todo, bad = (
        Result("k", "correct"),
        Result("k", "todo", "later"),
        Result("k<", "wrong", "a<b"),
    )
    shown = Result("k", "revealed", "Use `a * b` here.")
    assert repr(shown) == "→ k: The answer. Use a * b here."
    assert "<code>a * b</code>" in shown._repr_html_()
    assert repr(ok) == "✔ k: Correct!"
    assert repr(todo) == "✎ k: Not answered yet. later"
    assert 'class="minigrad-check minigrad-check-wrong"' in bad._repr_html_()
    assert "k&lt;" in bad._repr_html_() and "a&lt;b" in bad._repr_html_()
    assert ok.passed and not todo.passed and not bad.passed


def test_exercises_cover_every_lesson():
    per_lesson = {}
    for key in exercises.keys():
        lesson = key.split(".")[0]
        per_lesson[lesson] = per_lesson.get(lesson, 0) + 1
    assert sorted(per_lesson) == [f"lesson{i}" for i in (1, 2, 3, 4, 5, 6, 7, 9)]
    assert all(2 <= n <= 3 for lesson, n in per_lesson.items() if lesson != "lesson9")
    kinds = [exercises._get(k).kind for k in exercises.keys()]
    assert kinds.count("backward") >= 3 and "stepper" in kinds and "function" in kinds


def test_lesson_tensors_that_no_longer_fit_get_a_message_not_a_traceback():
    t = _lesson_tensors()
    t["w"] = torch.ones(2, 2, requires_grad=True)  # a student reused the name w
    result = check("lesson3.mse_db", [0.0, 0.0, 0.0], **t)
    assert result.status == "wrong" and "Run the lesson's first cells again" in result.message


def test_other_reasonable_forms_of_right_answers_pass():
    """float32 numbers, one-number tensors, 2.0 for a count: a right answer in another form."""
    assert check("lesson7.diverge", {np.float32(1.1), np.float32(2.0)}).passed
    assert check("lesson7.diverge", set(torch.tensor([1.1, 2.0]).tolist())).passed
    assert check(
        "lesson7.diverge", {v for v in torch.tensor([0.01, 0.1, 0.9, 1.1, 2.0]) if v > 1}
    ).passed
    assert check("lesson2.accumulators", 2.0).passed
    assert check("lesson2.accumulators", torch.tensor(2)).passed
    assert check("lesson5.loop_nodes", np.int64(3)).passed
    assert not check("lesson2.accumulators", 2.5).passed


def test_answers_of_the_wrong_form_get_a_message_that_does_not_give_the_answer():
    t = _lesson_tensors()
    w, b = t["w"], t["b"]
    result = check("lesson1.batch_shape", torch.matmul(torch.ones(4, 5), w) + b)  # the tensor
    assert result.status == "wrong" and "not a shape" in result.message
    for answer in ("43", "(4, 3)", (4.5, 3)):
        assert not check("lesson1.batch_shape", answer).passed
    node = (w.exp() * 3).sum().grad_fn.next_functions[0][0]
    for answer in (node, 5, None):
        result = check("lesson2.next_node", answer)
        assert result.status == "wrong" and node.name() not in result.message
    result = check("lesson1.requires_grad", {w, b})
    assert result.status == "wrong" and "names" in result.message
    result = check("lesson7.diverge", {"1.1", "2.0"})
    assert result.status == "wrong" and "2.0" not in result.message and "1.1" not in result.message
    assert check("lesson7.diverge", [[1.1], [2.0]]).status == "wrong"
