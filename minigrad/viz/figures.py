"""Redraw the committed figures: ``python -m minigrad.viz.figures figures`` (``make figures``).

The figures are the tutorial's "Computational graph" (x and w into a matmul, + b gives z, z and y
into the binary cross-entropy gives loss; w and b are parameters), drawn by minigrad in both views.
The graph is built here with the tutorial's printed values, so the output never depends on a
random generator. They are always rendered with graphviz-pure, whose SVG is the same on every
machine; each PNG carries the SHA-256 of the DOT text it was drawn from (a ``tEXt`` chunk named
``minigrad-dot-sha256``). ``tests/test_viz_figures.py`` fails when a committed file differs from
what this draws. ``--check`` compares instead of writing (exit status 1 when something is stale).
"""

import argparse
import hashlib
import struct
import sys
import zlib
from pathlib import Path

import minigrad
from minigrad.nn import functional as F

from .picture import draw_graph

# w and b as the tutorial printed them
W = [
    [1.2457, 2.2194, 0.1104],
    [0.1583, 1.2008, -0.3096],
    [0.4335, 0.6922, -0.3115],
    [0.0470, -0.9832, 0.2616],
    [0.0829, 0.3779, -1.0898],
]
B = [0.5424, 1.3166, 0.1436]

FIGURES = {
    "computational_graph": dict(view="data"),
    "computational_graph_autograd": dict(view="autograd", show_saved=True),
}
PNG_DPI = 144
PNG_KEY = b"minigrad-dot-sha256"


def seed_graph():
    """The tutorial's one-layer network and loss, as a ``names`` mapping (the root is ``loss``)."""
    x = minigrad.ones(5)  # input tensor
    y = minigrad.zeros(3)  # expected output
    w = minigrad.tensor(W, requires_grad=True)
    b = minigrad.tensor(B, requires_grad=True)
    z = minigrad.matmul(x, w) + b
    loss = F.binary_cross_entropy_with_logits(z, y)
    return dict(x=x, y=y, w=w, b=b, z=z, loss=loss)


def pictures():
    """``{file stem: GraphPicture}`` for every committed figure."""
    names = seed_graph()
    return {
        stem: draw_graph(names["loss"], names, renderer="pure", **options)
        for stem, options in FIGURES.items()
    }


def render_all():
    """``{file name: bytes}``: what ``figures/`` should contain."""
    files = {}
    for stem, picture in pictures().items():
        files[stem + ".svg"] = picture.svg().encode("utf-8")
        files[stem + ".png"] = with_dot_hash(picture.png(dpi=PNG_DPI), picture.source)
    return files


def dot_hash(source):
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def with_dot_hash(png, source):
    """``png`` with a ``tEXt`` chunk recording which DOT text it shows (right after IHDR)."""
    data = PNG_KEY + b"\0" + dot_hash(source).encode("ascii")
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + data) & 0xFFFFFFFF)
    end_of_ihdr = 8 + 4 + 4 + 13 + 4
    return png[:end_of_ihdr] + chunk + png[end_of_ihdr:]


def png_info(png):
    """``(width, height, recorded DOT hash or None)`` of a PNG file's bytes."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", png[16:24])
    recorded, pos = None, 8
    while pos + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        body = png[pos + 8 : pos + 8 + length]
        if kind == b"tEXt" and body.startswith(PNG_KEY + b"\0"):
            recorded = body[len(PNG_KEY) + 1 :].decode("ascii")
        pos += 12 + length
    return width, height, recorded


def stale(folder):
    """The file names in ``folder`` that are missing or differ from a fresh drawing."""
    folder = Path(folder)
    return [
        name
        for name, data in render_all().items()
        if not (folder / name).is_file() or (folder / name).read_bytes() != data
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m minigrad.viz.figures", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "folder", nargs="?", default="figures", help="where the figures go (default: figures)"
    )
    parser.add_argument(
        "--check", action="store_true", help="only report files that are out of date"
    )
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if args.check:
        out_of_date = stale(folder)
        for name in out_of_date:
            print(f"out of date: {folder / name}")
        return 1 if out_of_date else 0
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in render_all().items():
        (folder / name).write_bytes(data)
        print(f"wrote {folder / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
