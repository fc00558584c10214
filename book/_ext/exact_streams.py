"""Show a cell's printed output exactly as it was printed.

The kernel sends what a cell prints in chunks, cut wherever a flush happens to fall,
often between a line and the newline ``print`` writes after it. myst-nb 1.4 merges the
chunks of each stream for the page (``nb_merge_streams``), but strips every chunk's
trailing whitespace and adds a newline of its own, so a chunk that begins with the cut-off
newline shows up as a blank line, in some builds and not others. This extension joins
the chunks first, character for character, and leaves the rest of myst-nb's merge (one
output per stream, carriage returns and backspaces applied) as it is.
"""

from __future__ import annotations

import copy

from myst_nb.core import render

_coalesce_per_stream = render.coalesce_streams


def join_stream_chunks(outputs):
    """Concatenate every stream's chunks into its first output; other outputs stay."""
    joined, first_of_stream = [], {}
    for output in outputs:
        if output["output_type"] != "stream":
            joined.append(output)
        elif output["name"] in first_of_stream:
            first_of_stream[output["name"]]["text"] += output["text"]
        else:
            first = copy.copy(output)  # the notebook itself stays as executed
            first_of_stream[output["name"]] = first
            joined.append(first)
    return joined


def coalesce_streams_exactly(outputs):
    return _coalesce_per_stream(join_stream_chunks(outputs))


def setup(app):
    render.coalesce_streams = coalesce_streams_exactly
    return {"parallel_read_safe": True, "parallel_write_safe": True}
