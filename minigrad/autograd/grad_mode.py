"""Switch graph recording on and off (``no_grad``, ``enable_grad``, ``set_grad_enabled``).

One global flag: minigrad is single-threaded, like a notebook kernel. Every op reads it to decide
whether to record a graph node. Each class works as a context manager and as a decorator.
"""
import functools


class _State:
    enabled = True


STATE = _State()


def is_grad_enabled():
    return STATE.enabled


class _GradMode:
    """Base: set the flag to ``self.mode`` inside the block, restore the old value after it."""

    mode = True

    def __enter__(self):
        self._previous = STATE.enabled
        STATE.enabled = self.mode

    def __exit__(self, *exc):
        STATE.enabled = self._previous
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._init_args()):
                return func(*args, **kwargs)
        return wrapper

    def _init_args(self):
        return ()


class no_grad(_GradMode):
    """Inside this block no graph is recorded: results have ``requires_grad=False``."""

    mode = False


class enable_grad(_GradMode):
    """Turn recording back on inside a ``no_grad`` block."""

    mode = True


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` switches recording off at once, and back when used with ``with``."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._previous = STATE.enabled
        STATE.enabled = self.mode  # like PyTorch: calling it as a function takes effect immediately

    def __enter__(self):
        pass  # already applied in __init__

    def _init_args(self):
        return (self.mode,)

    def __call__(self, func):
        STATE.enabled = self._previous  # used as a decorator: undo the immediate switch
        return super().__call__(func)
