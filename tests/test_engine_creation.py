"""Creating tensors: dtype inference, creation functions, seeded random numbers."""

import numpy as np
import pytest

import minigrad


def test_dtype_inference_by_hand():
    assert minigrad.tensor(1.5).dtype is minigrad.float32
    assert minigrad.tensor([1.0, 2.0]).dtype is minigrad.float32
    assert minigrad.tensor([1, 2]).dtype is minigrad.int64
    assert minigrad.tensor(3).dtype is minigrad.int64
    assert minigrad.tensor([True, False]).dtype is minigrad.bool
    assert minigrad.tensor([1, 2.5]).dtype is minigrad.float32  # mixed: float
    assert minigrad.tensor(np.array([1.5, 2.5])).dtype is minigrad.float64  # numpy float64 kept
    assert minigrad.tensor(np.array([1.5], dtype=np.float32)).dtype is minigrad.float32
    assert minigrad.tensor(np.float64(2.0)).dtype is minigrad.float64
    assert minigrad.tensor([1, 2], dtype=minigrad.float64).dtype is minigrad.float64
    assert minigrad.tensor([1.7], dtype=minigrad.int64).tolist() == [1]


def test_tensor_copies_its_data_and_from_numpy_shares():
    a = np.array([1.0, 2.0])
    t = minigrad.tensor(a)
    a[0] = 100.0
    assert t.tolist() == [1.0, 2.0]
    shared = minigrad.from_numpy(a)
    a[1] = 7.0
    assert shared.tolist() == [100.0, 7.0] and shared.dtype is minigrad.float64


def test_default_dtype_switch():
    minigrad.set_default_dtype(minigrad.float64)  # the conftest fixture restores float32
    assert minigrad.tensor([1.5]).dtype is minigrad.float64
    assert minigrad.ones(2).dtype is minigrad.float64
    assert minigrad.get_default_dtype() is minigrad.float64
    with pytest.raises(TypeError):
        minigrad.set_default_dtype(minigrad.int64)


def test_creation_functions_by_hand():
    np.testing.assert_array_equal(minigrad.ones(2, 3).numpy(), np.ones((2, 3)))
    np.testing.assert_array_equal(minigrad.zeros((4,)).numpy(), np.zeros(4))
    np.testing.assert_array_equal(minigrad.full((2, 2), 3).numpy(), [[3, 3], [3, 3]])
    assert minigrad.full((2, 2), 3).dtype is minigrad.int64
    assert minigrad.full((2,), 1.5).dtype is minigrad.float32
    np.testing.assert_array_equal(minigrad.eye(2, 3).numpy(), [[1, 0, 0], [0, 1, 0]])
    assert (
        minigrad.arange(5).tolist() == [0, 1, 2, 3, 4]
        and minigrad.arange(5).dtype is minigrad.int64
    )
    assert minigrad.arange(1, 2.5, 0.5).tolist() == [1.0, 1.5, 2.0]
    assert minigrad.arange(1, 2.5, 0.5).dtype is minigrad.float32
    np.testing.assert_allclose(minigrad.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1])
    x = minigrad.ones(3, 2, dtype=minigrad.float64)
    assert minigrad.zeros_like(x).dtype is minigrad.float64 and tuple(
        minigrad.zeros_like(x).shape
    ) == (3, 2)
    assert minigrad.ones_like(minigrad.arange(3)).tolist() == [1, 1, 1]
    r = minigrad.randn_like(x)
    assert r.dtype is minigrad.float64 and tuple(r.shape) == (3, 2)
    leaf = minigrad.zeros(2, requires_grad=True)
    assert leaf.requires_grad and leaf.is_leaf
    assert tuple(minigrad.randn(2, 3, requires_grad=True).shape) == (2, 3)


def test_manual_seed_makes_rand_and_randn_reproducible():
    minigrad.manual_seed(123)
    first = (
        minigrad.rand(3, 2).tolist(),
        minigrad.randn(4).tolist(),
        minigrad.randn(2, 2).tolist(),
    )
    minigrad.manual_seed(123)
    second = (
        minigrad.rand(3, 2).tolist(),
        minigrad.randn(4).tolist(),
        minigrad.randn(2, 2).tolist(),
    )
    assert first == second
    minigrad.manual_seed(124)
    assert minigrad.rand(3, 2).tolist() != first[0]
    minigrad.manual_seed(5)
    uniform = minigrad.rand(10_000).numpy()
    assert uniform.min() >= 0 and uniform.max() < 1 and abs(uniform.mean() - 0.5) < 0.02
    normal = minigrad.randn(10_000).numpy()
    assert abs(normal.mean()) < 0.05 and abs(normal.std() - 1) < 0.05


CREATIONS = {
    "tensor_float": lambda T: T.tensor(1.5),
    "tensor_int": lambda T: T.tensor(2),
    "tensor_bool": lambda T: T.tensor(True),
    "tensor_mixed_list": lambda T: T.tensor([1, 2.5]),
    "tensor_nested_ints": lambda T: T.tensor([[1, 2], [3, 4]]),
    "tensor_numpy_float64": lambda T: T.tensor(np.array([1.5])),
    "tensor_numpy_float32": lambda T: T.tensor(np.array([1.5], dtype=np.float32)),
    "tensor_numpy_int32": lambda T: T.tensor(np.array([1], dtype=np.int32)),
    "tensor_numpy_scalar": lambda T: T.tensor(np.float64(2.0)),
    "tensor_bool_and_int": lambda T: T.tensor([True, 1]),
    "tensor_requires_grad": lambda T: T.tensor([1.0], requires_grad=True),
    "ones": lambda T: T.ones(2, 3),
    "ones_tuple": lambda T: T.ones((2, 3)),
    "ones_size": lambda T: T.ones(T.ones(4, 1).shape),
    "zeros": lambda T: T.zeros((2,)),
    "zeros_float64_grad": lambda T: T.zeros(2, 2, dtype=T.float64, requires_grad=True),
    "empty": lambda T: T.empty(2, 3),
    "full_int": lambda T: T.full((2, 2), 3),
    "full_float": lambda T: T.full((2,), 1.5),
    "full_bool": lambda T: T.full((2,), True),
    "eye": lambda T: T.eye(3),
    "eye_rectangular": lambda T: T.eye(2, 4),
    "arange": lambda T: T.arange(5),
    "arange_float_step": lambda T: T.arange(1, 4, 0.5),
    "arange_float_start": lambda T: T.arange(0.0, 3),
    "arange_step": lambda T: T.arange(2, 11, 3),
    "linspace": lambda T: T.linspace(0, 1, 5),
    "rand": lambda T: T.rand(2, 3),
    "randn": lambda T: T.randn(4),
    "randn_grad": lambda T: T.randn(2, 2, requires_grad=True),
    "randint": lambda T: T.randint(0, 5, (3,)),
    "randperm": lambda T: T.randperm(4),
    "ones_like": lambda T: T.ones_like(T.ones(2, dtype=T.float64)),
    "zeros_like": lambda T: T.zeros_like(T.arange(3)),
    "randn_like": lambda T: T.randn_like(T.ones(3, 2)),
    "full_like": lambda T: T.full_like(T.ones(2), 7),
    "ones_int": lambda T: T.ones(2, dtype=T.int64),
    "int_plus_float": lambda T: T.tensor([1, 2]) + 1.5,
    "int_div": lambda T: T.tensor([1, 2]) / 2,
    "int_times_float_tensor": lambda T: T.tensor([1, 2]) * T.tensor([1.5]),
    "float32_plus_float64": lambda T: T.ones(2) + T.ones(2, dtype=T.float64),
    "float64_times_number": lambda T: T.ones(2, dtype=T.float64) * 2.0,
    "int_times_int": lambda T: T.tensor([1, 2]) * 2,
    "bool_plus_int": lambda T: T.tensor([True]) + 1,
    "float_method": lambda T: T.tensor([1, 2]).float(),
    "long_method": lambda T: T.tensor([1.5]).long(),
    "double_method": lambda T: T.tensor([1.5]).double(),
    "sum_float": lambda T: T.ones(2).sum(),
    "sum_int": lambda T: T.tensor([1, 2]).sum(),
    "int_power_int": lambda T: T.tensor([1, 2]) ** 2,
    "int_power_float": lambda T: T.tensor([1, 2]) ** 0.5,
    "number_power_int": lambda T: 2 ** T.tensor([1, 2]),
    "max_int": lambda T: T.tensor([4, 2]).max(),
    "argmax": lambda T: T.ones(3).argmax(),
    "comparison": lambda T: T.tensor([1.0, 2.0]) > 1,
    "exp_of_int": lambda T: T.tensor([1, 2]).exp(),
    "sqrt_of_int": lambda T: T.tensor([1, 4]).sqrt(),
    "sigmoid_of_int": lambda T: T.tensor([1, 4]).sigmoid(),
    "abs_of_int": lambda T: T.tensor([-1, 4]).abs(),
    "half": lambda T: T.ones(1, dtype=T.float16) * 2,
    "matmul_int": lambda T: T.tensor([[1, 2]]) @ T.tensor([[3], [4]]),
}


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(CREATIONS))
def test_shapes_and_dtypes_match_pytorch(pt, name):
    mine, theirs = CREATIONS[name](minigrad), CREATIONS[name](pt)
    assert tuple(mine.shape) == tuple(theirs.shape)
    assert repr(mine.dtype) == repr(theirs.dtype)
    assert mine.requires_grad == theirs.requires_grad and mine.is_leaf == theirs.is_leaf
    if not name.startswith(("rand", "empty")):
        np.testing.assert_allclose(
            np.asarray(mine.tolist(), dtype=float),
            np.asarray(theirs.tolist(), dtype=float),
            rtol=1e-6,
        )
