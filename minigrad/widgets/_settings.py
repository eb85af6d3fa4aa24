"""One switch for every widget of a notebook: ``minigrad.widgets.defaults(size="large")``.

A teacher on a projector puts that line at the top of a lesson; every widget built afterwards
in that kernel uses it, unless a widget is given its own ``size=`` / ``view=`` / ``direction=``.
"""

from __future__ import annotations

from typing import Literal

Size = Literal["normal", "large"]
View = Literal["autograd", "data"]
Direction = Literal["TB", "LR", "BT", "RL"]
SIZES = ("normal", "large")
VIEWS = ("autograd", "data")
DIRECTIONS = ("TB", "LR", "BT", "RL")
_FACTORY = dict(size="normal", view="autograd", direction="TB")
_current = dict(_FACTORY)
_chosen = set()  # the options a defaults() call set (a widget's own default yields to them)


def defaults(
    size: Size | None = None,
    view: View | None = None,
    direction: Direction | None = None,
    *,
    reset: bool = False,
) -> dict[str, str]:
    """Set the options every widget built from now on starts with; returns them.

    - ``size``: ``"normal"`` or ``"large"`` (a projector: bigger text, buttons and pictures);
    - ``view``: the picture, ``"autograd"`` (the nodes backward runs) or ``"data"`` (tensors
      and operations);
    - ``direction``: ``"TB"`` (inputs at the top, the root at the bottom) or ``"LR"``...;
    - ``reset=True``: back to the factory settings first.
    """
    if reset:
        _current.clear()
        _current.update(_FACTORY)
        _chosen.clear()
    given = check(size=size, view=view, direction=direction)
    _current.update(given)
    _chosen.update(given)
    return dict(_current)


def chosen(option, otherwise):
    """The notebook's choice for ``option`` if ``defaults()`` made one, else ``otherwise``."""
    return _current[option] if option in _chosen else otherwise


def check(size=None, view=None, direction=None):
    """The options given (``None`` left out), validated: a wrong one is the caller's mistake and
    raises at once (unlike graph errors, which widgets show)."""
    given = {}
    if size is not None:
        if size not in SIZES:
            raise ValueError(f"size must be 'normal' or 'large', got {size!r}")
        given["size"] = size
    if view is not None:
        if view not in VIEWS:
            raise ValueError(f"view must be 'autograd' or 'data', got {view!r}")
        given["view"] = view
    if direction is not None:
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be 'TB', 'LR', 'BT' or 'RL', got {direction!r}")
        given["direction"] = direction
    return given


def resolve(**given):
    """The options of one widget: what it was given, else the notebook's defaults."""
    options = dict(_current)
    options.update(check(**given))
    return options
