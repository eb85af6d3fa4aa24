"""unbind / split / chunk return several views of one tensor: PyTorch refuses to change them
(or views of them) in place when that would be recorded, and says so; untracked changes go
through to the base. Compared message by message with PyTorch."""

import pytest

import minigrad

pytestmark = pytest.mark.oracle

CUTS = {
    "split_with_sizes": lambda T, y: T.split(y, [1, 2], dim=1)[1],
    "chunk": lambda T, y: y.chunk(3, 1)[2],
    "split": lambda T, y: T.split(y, 1)[1],
    "unbind": lambda T, y: y.unbind(1)[1],
    "slice_of_a_piece": lambda T, y: y.unbind(0)[0][1:],
}


@pytest.mark.parametrize("name", sorted(CUTS))
def test_changing_a_piece_in_place_is_refused_as_in_pytorch(pt, name):
    messages = []
    for T in (minigrad, pt):
        x = T.arange(6.0).reshape(2, 3).requires_grad_()
        y = x * 1
        piece = CUTS[name](T, y)
        before = y.detach().clone()
        with pytest.raises(RuntimeError) as error:
            piece.add_(1)
        assert T.equal(y.detach(), before)  # nothing written
        assert y.grad_fn.name().endswith("MulBackward0")
        messages.append(str(error.value))
    assert messages[0] == messages[1]


def test_an_untracked_change_through_a_piece_reaches_the_base(pt):
    results = []
    for T in (minigrad, pt):
        z = T.ones(2, 3)
        z.unbind(0)[0].add_(1)
        results.append(z.tolist())
    assert results[0] == results[1] == [[2.0, 2.0, 2.0], [1.0, 1.0, 1.0]]
