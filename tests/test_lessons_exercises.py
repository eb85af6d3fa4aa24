"""``minigrad.exercises.check``: right or wrong with a hint, a friendly placeholder message, and
never the answer in what it shows. Answers are computed from the problem, not stored."""
import html
import re
import warnings

import numpy as np
import pytest

import minigrad as torch
from minigrad import exercises
from minigrad.exercises import Result, check


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
    values = np.asarray(expected.detach().numpy() if hasattr(expected, "detach") else expected,
                        dtype=float).reshape(-1)
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


@pytest.mark.parametrize("key", exercises.keys())
def test_right_answer_passes_and_wrong_ones_get_a_hint_not_the_answer(key, capsys):
    tensors = _lesson_tensors()
    expected = _expected(key, tensors)
    assert check(key, expected, **_given(key, tensors)).passed
    for wrong in _wrong_answers(expected):
        result = check(key, wrong, **_given(key, tensors))
        assert result.status == "wrong", (key, wrong)
        text = _shown(result)
        assert "Hint:" in text
        _assert_no_answer(text, expected)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("key", exercises.keys())
def test_every_exercise_states_its_task(key):
    assert len(exercises.describe(key)) > 30


@pytest.mark.parametrize("answer", ["abc", None, object(), [1, 2, 3], float("nan"), {"a": 1},
                                    (1.5, "x")])
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
    for key in ("lesson3.mse_db", "lesson3.fd_w21", "lesson3.dx", "lesson1.loss_by_hand"):
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
    assert check("lesson1.loss_by_hand", (-(y * s.log() + (1 - y) * (1 - s).log())).mean(),
                 z=z, y=y).passed
    assert check("lesson1.batch_shape", torch.Size([4, 3])).passed
    assert check("lesson1.batch_shape", [4, 3]).passed
    assert check("lesson6.jacobian", np.diag([2., 4., 6.])).passed
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


def test_finite_differences_get_a_matching_tolerance():
    t = _lesson_tensors()
    exact = _expected("lesson3.fd_w21", t).item()
    assert check("lesson3.fd_w21", exact * 1.003, **t).passed  # a rough estimate is fine
    assert not check("lesson3.fd_w21", exact * 1.1, **t).passed


def test_missing_lesson_tensors_and_unknown_keys_are_clear_errors():
    with pytest.raises(TypeError, match="also needs the lesson's x=x, y=y, w=w, b=b"):
        check("lesson3.mse_db", [0., 0., 0.])
    with pytest.raises(KeyError, match="no exercise called 'lesson9.nope'"):
        check("lesson9.nope", 1)


def test_result_display():
    ok, todo, bad = Result("k", "correct"), Result("k", "todo", "later"), Result("k<", "wrong", "a<b")
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
    assert sorted(per_lesson) == [f"lesson{i}" for i in range(1, 8)]
    assert all(2 <= n <= 3 for n in per_lesson.values())


def test_lesson_tensors_that_no_longer_fit_get_a_message_not_a_traceback():
    t = _lesson_tensors()
    t["w"] = torch.ones(2, 2, requires_grad=True)  # a student reused the name w
    result = check("lesson3.mse_db", [0., 0., 0.], **t)
    assert result.status == "wrong" and "Run the lesson's first cells again" in result.message


def test_other_reasonable_forms_of_right_answers_pass():
    """float32 numbers, one-number tensors, 2.0 for a count: a right answer in another form."""
    assert check("lesson7.diverge", {np.float32(1.1), np.float32(2.0)}).passed
    assert check("lesson7.diverge", set(torch.tensor([1.1, 2.0]).tolist())).passed
    assert check("lesson7.diverge", {v for v in torch.tensor([0.01, 0.1, 0.9, 1.1, 2.0])
                                     if v > 1}).passed
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
