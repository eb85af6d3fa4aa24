"""The HTML the widgets' panes are made of, and the controls they share (one home for both).

Rules kept here:

- nothing is ever printed (nbval would report the stdout): panes are ``HTML`` widgets whose
  ``value`` is replaced;
- text colours are JupyterLab's CSS variables, so light and dark themes both read well; the
  pictures have transparent backgrounds and filled boxes (see ``minigrad/viz/_style.py``);
- every control is a real, focusable ipywidgets control with a description and a tooltip, and
  carries a stable CSS class (``minigrad-next``...) for browser tests.

This module imports ipywidgets; it is only imported when a widget is built.
"""

import html
import re

import ipywidgets as W

from . import _common

# per size: text, code text, button height, slider width; picture: the largest scale a picture
# may take (it grows with the cell up to that, and shrinks to fit a narrow one) and its largest
# height (large: a projector's short screen must show the step's arithmetic under the picture)
SIZES = {
    "normal": dict(
        font="13px",
        mono="12.5px",
        button_height="32px",
        slider_width="300px",
        picture_scale=1.25,
        picture_height="55vh",
    ),
    "large": dict(
        font="18px",
        mono="16px",
        button_height="48px",
        slider_width="420px",
        picture_scale=2.0,
        picture_height="46vh",
    ),
}
TEXT = "color: var(--jp-ui-font-color1, inherit);"
MUTED = "color: var(--jp-ui-font-color2, inherit);"
BORDER = "var(--jp-border-color2, #999)"
CODE_FONT = "var(--jp-code-font-family, monospace)"
WIDGET_METADATA_KEY = "minigrad-widget"


def esc(text):
    return html.escape(str(text), quote=True)


def panel(inner, size, css="", live=False):
    """A block of text in the theme's colours; ``live``: screen readers announce its changes."""
    s = SIZES[size]
    aria = ' aria-live="polite"' if live else ""
    return (
        f'<div class="minigrad-panel {css}"{aria} style="{TEXT} font-size: {s["font"]}; '
        f'font-family: var(--jp-ui-font-family, sans-serif); line-height: 1.4;">{inner}</div>'
    )


def pre(text, size, css=""):
    s = SIZES[size]
    return (
        f'<pre class="{css}" style="margin: 0.15em 0; padding: 0; background: transparent; '
        f"color: inherit; font-family: {CODE_FONT}; font-size: {s['mono']}; line-height: 1.35; "
        f'white-space: pre-wrap; overflow-wrap: anywhere;">{esc(text)}</pre>'
    )


def code(text):
    # font-size relative to the panel: JupyterLab's own rule would pin every <code> to 13px,
    # tiny next to size="large" text
    return (
        f'<code style="font-family: {CODE_FONT}; font-size: 0.92em; color: inherit; '
        f'background: transparent;">{esc(text)}</code>'
    )


def muted(text):
    return f'<span style="{MUTED}">{esc(text)}</span>'


_TYPED = re.compile(r"^([A-Za-z]+(?:Error|Exception)): ")


def error_box(message, hint, size):
    """PyTorch's message, word for word, with a sentence for students under it."""
    s = SIZES[size]
    typed = _TYPED.match(message)
    kind = typed.group(1) if typed else "RuntimeError"
    if typed:
        message = message[typed.end() :]
    hint_html = f'<div style="margin-top: 0.3em;">{esc(hint)}</div>' if hint else ""
    return (
        f'<div class="minigrad-error" role="alert" style="{TEXT} font-size: {s["font"]}; '
        f"border-left: 4px solid var(--jp-error-color1, #d32f2f); padding: 0.3em 0.6em; "
        f'background: var(--jp-layout-color2, transparent); margin: 0.3em 0;">'
        f"<b>{esc(kind)}</b> (shown here instead of raised):<br>"
        f'<span style="font-family: {CODE_FONT};">{esc(message)}</span>{hint_html}</div>'
    )


def table(rows, header, size, css="", highlight=None):
    """``rows``: lists of HTML cells (already escaped); ``highlight``: the row index to mark."""
    cell = (
        f'style="border: 1px solid {BORDER}; padding: 0.2em 0.5em; vertical-align: top; '
        'text-align: left;"'
    )
    head = "".join(f"<th {cell}>{h}</th>" for h in header)
    body = []
    for i, row in enumerate(rows):
        mark = (
            (
                ' class="minigrad-highlight" style="background: var(--jp-layout-color2, '
                'rgba(240, 228, 66, 0.35)); font-weight: bold;"'
            )
            if i == highlight
            else ""
        )
        body.append(f"<tr{mark}>" + "".join(f"<td {cell}>{c}</td>" for c in row) + "</tr>")
    return (
        f'<table class="{css}" style="border-collapse: collapse; color: inherit; '
        f'margin: 0.3em 0;"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


_SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def fitted_svg(svg, size, max_height=None):
    """The picture as wide as the cell allows, up to ``picture_scale`` times its own size, and
    never taller than ``max_height`` (the size's ``picture_height``, so that the step panel under
    it stays on screen); the viewBox keeps it sharp at any scale."""
    scale = SIZES[size]["picture_scale"]
    max_height = max_height or SIZES[size]["picture_height"]

    def fit(m):
        width = float(m.group(1))
        return (
            f'<svg width="100%" data-natural-width="{width:.2f}pt" '
            f'style="max-width: {width * scale:.2f}pt; max-height: {max_height}; height: auto; '
            f'display: block; margin: 0 auto;"'
        )

    return _SVG_SIZE.sub(fit, svg, count=1)


def picture_html(svg, size, message="", max_height=None):
    """A picture pane's HTML: the fitted SVG, or a short message (no renderer, nothing to draw)."""
    if svg is None:
        return panel(f'<i style="{MUTED}">{esc(message or "no picture")}</i>', size)
    return (
        f'<div class="minigrad-svg" style="width: 100%;">{fitted_svg(svg, size, max_height)}</div>'
    )


def legend_html(view, size):
    """The picture's key, once per widget, folded away until asked for."""
    from ..viz import legend_entries

    cells = []
    for swatch, fill, rounded, meaning in legend_entries(view):
        radius = "border-radius: 0.6em;" if rounded else ""
        cells.append(
            f'<span style="display: inline-block; margin: 0.1em 0.8em 0.1em 0; white-space: nowrap;">'
            f'<span style="background: {fill}; color: #000; border: 1px solid #000; {radius} '
            f'padding: 0 0.35em;">{esc(swatch)}</span> {esc(meaning)}</span>'
        )
    return panel(
        '<details class="minigrad-legend"><summary style="cursor: pointer;">Legend</summary>'
        f'<div style="margin-top: 0.2em;">{"".join(cells)}</div></details>',
        size,
    )


def button(description, tooltip, css, size, icon=""):
    s = SIZES[size]
    b = W.Button(
        description=description,
        tooltip=tooltip,
        icon=icon,
        layout=W.Layout(height=s["button_height"], width="auto", min_width="5em"),
    )
    b.style.font_size = s["font"]
    b.add_class(css)
    return b


def bundle(box, kind, picture, text, html_fallback=None, svg=None):
    """The widget view, a still picture (SVG and PNG, else HTML) and deterministic text/plain,
    plus metadata naming the widget (``{"minigrad-widget": kind}``), which tells tools that this
    output is a widget even once its live view is removed (tools/run_notebooks.py does that).
    ``svg``: the picture's SVG as the widget shows it (else rendered from ``picture``). The PNG
    (what an untrusted notebook shows) is always ``picture``'s own render of the same state."""
    data = dict(box._repr_mimebundle_())
    data["text/plain"] = text
    if svg is not None:
        data["image/svg+xml"] = svg
    elif picture is not None:
        try:
            data["image/svg+xml"] = picture.svg()
        except Exception:  # no renderer: the picture's own fallback (DOT text and the fix)
            data["text/html"] = picture.html()
    elif html_fallback is not None:
        data["text/html"] = html_fallback
    if "image/svg+xml" in data and picture is not None:
        try:
            png = picture.display_png()
        except Exception:  # a still picture problem must not break the widget
            png = None
        if png is not None:
            data["image/png"] = png
    return data, {WIDGET_METADATA_KEY: kind}


def draw(root, names, options, message_out):
    """``draw_graph`` without ever raising (the reason goes to ``message_out``)."""
    try:
        from ..viz import draw_graph

        return draw_graph(root, names, **options)
    except Exception as error:
        message_out.append(f"No picture: {_common.error_text(error)}")
        return None
