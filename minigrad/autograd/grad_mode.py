"""Switch graph recording on and off (``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``).

Global flags (minigrad is single-threaded, like a notebook kernel): ``grad`` is what
``is_grad_enabled()`` reports, ``inference`` is on inside ``inference_mode()``, and ``enabled``,
the one flag every op reads to decide whether to record a graph node, is ``grad and not
inference``. Each class works as a context manager and as a decorator.
"""
import functools


class _State:
    grad = True
    inference = False
    enabled = True


STATE = _State()


def _set(grad, inference):
    STATE.grad, STATE.inference = grad, inference
    STATE.enabled = grad and not inference


def is_grad_enabled():
    return STATE.grad


def is_inference_mode_enabled():
    return STATE.inference


class _GradMode:
    """Base: set grad mode to ``self.mode`` inside the block, restore the old state after it."""

    mode = True

    def __enter__(self):
        self._previous = STATE.grad, STATE.inference
        _set(self.mode, STATE.inference)

    def __exit__(self, *exc):
        _set(*self._previous)
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
    """Turn recording back on inside a ``no_grad`` block (not inside ``inference_mode``)."""

    mode = True


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` switches recording off at once, and back when used with ``with``."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._previous = STATE.grad, STATE.inference
        _set(self.mode, STATE.inference)  # like PyTorch: as a function it takes effect at once

    def __enter__(self):
        pass  # already applied in __init__

    def _init_args(self):
        return (self.mode,)

    def __call__(self, func):
        _set(*self._previous)  # used as a decorator: undo the immediate switch
        return super().__call__(func)


class inference_mode(_GradMode):
    """``no_grad`` and more: tensors made inside are *inference tensors*, which PyTorch never lets
    into a recorded graph later (they have no version counter to guard saved values with).
    ``inference_mode(False)`` switches both off again. Also a decorator, with or without ()."""

    def __new__(cls, mode=True):
        if callable(mode):  # @inference_mode without parentheses
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def __enter__(self):
        self._previous = STATE.grad, STATE.inference
        _set(not self.mode, self.mode)

    def _init_args(self):
        return (self.mode,)
