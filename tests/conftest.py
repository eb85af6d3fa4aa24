"""Shared set-up for the engine tests: a deterministic hypothesis profile and the PyTorch oracle.

The oracle: tests that compare with PyTorch carry ``@pytest.mark.oracle`` and/or use the ``pt``
fixture (which marks them automatically). When PyTorch cannot be imported they are skipped with a
clear reason, except when ``MINIGRAD_REQUIRE_ORACLE=1`` (set by CI): then each of them FAILS, so a
broken oracle install can never turn the comparison suite green by skipping it.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "minigrad",
    deadline=None,
    derandomize=True,  # the same examples on every run and every machine
    database=None,
    max_examples=10,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
settings.register_profile("thorough", parent=settings.get_profile("minigrad"), max_examples=200)
settings.load_profile(os.environ.get("MINIGRAD_HYPOTHESIS_PROFILE", "minigrad"))

REQUIRE_ORACLE = os.environ.get("MINIGRAD_REQUIRE_ORACLE") == "1"
SKIP_REASON = (
    "PyTorch is not installed, so this comparison with PyTorch is skipped (to run it, "
    "install a CPU build as the README says: .venv/bin/pip install torch==2.13.0 "
    "--index-url https://download.pytorch.org/whl/cpu)"
)


def _import_torch():
    try:
        import torch
    except ImportError as error:
        return None, error
    return torch, None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "pt" in getattr(item, "fixturenames", ()) and item.get_closest_marker("oracle") is None:
            item.add_marker(pytest.mark.oracle)


def pytest_runtest_setup(item):
    if item.get_closest_marker("oracle") is None:
        return
    torch, _ = _import_torch()
    if torch is None and not REQUIRE_ORACLE:
        pytest.skip(SKIP_REASON)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    # a failure in the call phase (not a setup error): the test itself is reported as FAILED
    if item.get_closest_marker("oracle") is None:
        return
    torch, error = _import_torch()
    if torch is None:
        pytest.fail(
            f"MINIGRAD_REQUIRE_ORACLE=1 but PyTorch cannot be imported: {error}", pytrace=False
        )


@pytest.fixture(scope="session")
def pt():
    """The real ``torch`` module (oracle tests only; see the module docstring)."""
    torch, _ = _import_torch()
    if torch is not None:
        torch.set_default_dtype(torch.float32)
    return torch  # None only when the test is about to fail in pytest_runtest_call


@pytest.fixture(autouse=True)
def _restore_global_state():
    """Tests must not leak grad mode, print options or the default dtype into each other."""
    import minigrad

    yield
    minigrad.set_grad_enabled(True)
    minigrad.set_printoptions(profile="default")
    minigrad.set_default_dtype(minigrad.float32)
