"""Root pytest set-up for the lessons under nbval (tests/conftest.py covers tests/ only)."""

import pytest

NBVAL_SKIP_REASON = (
    "optional PyTorch comparison cell (# NBVAL_SKIP): its text depends on whether "
    "torch is installed; tests/test_lessons.py runs it without PyTorch and the "
    "oracle tests compare with PyTorch"
)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """nbval skips ``# NBVAL_SKIP`` cells without a reason: give them one."""
    options = getattr(item, "options", None)
    if isinstance(options, dict) and options.get("skip"):
        pytest.skip(NBVAL_SKIP_REASON)
