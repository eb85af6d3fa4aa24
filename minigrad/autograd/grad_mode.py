"""Switch graph recording on and off (``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``).

Global flags (minigrad is single-threaded, like a notebook kernel): ``grad`` is what
``is_grad_enabled()`` reports, ``inference`` is on inside ``inference_mode()``, and ``enabled``,
the one flag every op reads to decide whether to record a graph node, is ``grad and not
inference``. Each class works as a context manager and as a decorator.
"""

import functools
import inspect
import types
import warnings


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
        """As a decorator: the mode holds while ``func`` runs; for a generator function, while
        each piece of its body runs (between two ``yield``s the caller's mode is back)."""
        if inspect.isclass(func):
            warnings.warn(_CLASS_WARNING, FutureWarning, stacklevel=2)
            func = _calling(func)
        fresh = functools.partial(self.__class__, *self._init_args())
        if inspect.isgeneratorfunction(func):
            return _generator_in_mode(func, fresh)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with fresh():
                return func(*args, **kwargs)

        return wrapper

    def _init_args(self):
        return ()


class _BareDecorator(_GradMode):
    """``@no_grad`` and ``no_grad(func)`` work like ``@no_grad()`` (as in PyTorch)."""

    def __new__(cls, func=None):
        if func is not None:
            return cls()(func)
        return super().__new__(cls)


class no_grad(_BareDecorator):
    """Inside this block no graph is recorded: results have ``requires_grad=False``."""

    mode = False


class enable_grad(_BareDecorator):
    """Turn recording back on inside a ``no_grad`` block (not inside ``inference_mode``)."""

    mode = True


_CLASS_WARNING = (
    "Decorating classes is deprecated and will be disabled in future versions. You should only "
    "decorate functions or methods. To preserve the current behavior of class decoration, you can "
    "directly decorate the `__init__` method and nothing else."
)


def _calling(cls):
    def make(*args, **kwargs):
        return cls(*args, **kwargs)

    return make


def _generator_in_mode(func, fresh):
    """A generator function whose body runs in the mode ``fresh()`` sets, one step at a time:
    each resume (next, send, throw, close) enters the mode and leaves it at the next yield."""

    @functools.wraps(func)
    def generator(*args, **kwargs):
        inner = func(*args, **kwargs)
        try:
            with fresh():
                value = next(inner)
            while True:
                try:
                    sent = yield value
                except GeneratorExit:
                    with fresh():
                        inner.close()
                    raise
                except BaseException as error:
                    with fresh():
                        value = inner.throw(error)
                else:
                    with fresh():
                        value = inner.send(sent)
        except StopIteration as stop:
            return stop.value

    return generator


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` switches recording off at once, and back when used with ``with``."""

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(
                "set_grad_enabled(): argument 'enabled' (position 1) must be bool, "
                f"not {_type_name(mode)}"
            )
        self.mode = mode
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


def _type_name(value):
    """How PyTorch's argument errors name a type (``function`` for any function)."""
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType)):
        return "function"
    return type(value).__name__
