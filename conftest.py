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


# -- xdist: `--dist loadfile`, but every browser test file in ONE work unit ------------------------
# A notebook's cells under nbval must run in order in one process, hence one unit per file; the
# browser files share a session's JupyterLab server and Chromium, so splitting them across the
# two workers started two servers and two browsers (and their boots) for nothing. As one unit,
# collected first (tests/browser sorts before tests/test_*.py) and kept first in the queue, they
# start at once on one worker while the other worker takes the short unit files one by one, and
# the first worker joins in with the files left when the browser tests are done. (`--dist
# loadgroup` cannot do this here: xdist 3.8 renames node ids through an attribute pytest 9 no
# longer reads.)
BROWSER_UNIT = "tests/browser"


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # before xdist's own; no error without xdist
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None  # xdist's own scheduler for the other modes
    from xdist.scheduler import LoadFileScheduling

    class BrowserTestsTogether(LoadFileScheduling):
        def _split_scope(self, nodeid):
            if nodeid.startswith(BROWSER_UNIT + "/"):
                return BROWSER_UNIT
            return super()._split_scope(nodeid)

    config.option.loadscopereorder = False  # collection order: the browser unit first
    return BrowserTestsTogether(config, log)
