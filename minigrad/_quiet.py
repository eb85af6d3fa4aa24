"""numpy without its floating-point warnings, for code that computes inf and nan on purpose.

``with quiet_numpy():`` is ``with np.errstate(all="ignore"):`` at a fraction of the cost.
numpy 2 keeps its error state in a context variable; ``np.errstate`` builds that state anew on
every entry through a few layers of Python (about 10,000 machine instructions, a few percent of
a small graph's whole backward pass). Here the "ignore everything" state is built once and
entering is one context-variable set. Where numpy's internals are not as expected (another
numpy), ``np.errstate`` itself is used.
"""

import numpy as np

try:
    from numpy._core._ufunc_config import _extobj_contextvar
    from numpy._core.umath import _make_extobj

    _IGNORE = _make_extobj(all="ignore")
except (ImportError, AttributeError, TypeError):  # not numpy 2's layout
    _extobj_contextvar = None


class _Quiet:
    __slots__ = ("_token",)

    def __enter__(self):
        self._token = _extobj_contextvar.set(_IGNORE)
        return self

    def __exit__(self, *error):
        _extobj_contextvar.reset(self._token)
        return False


def quiet_numpy():
    """A context in which numpy gives no RuntimeWarning for overflow, 0/0, log(0)..."""
    if _extobj_contextvar is None:
        return np.errstate(all="ignore")
    return _Quiet()
