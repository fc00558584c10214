"""Tables that a chapter's code cell shows as Markdown, and so the book as a table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Table"]


@dataclass(frozen=True)
class Table:
    r"""A table of strings that Jupyter, and so the book, shows as a Markdown table.

    Cells may hold Markdown and math (``"$\eta$"``); every row has one cell per
    column of the header.

    >>> table = Table(["optimizer", "lr"], [["SGD", "0.95"], ["Adam", "0.3"]])
    >>> print(table._repr_markdown_())
    | optimizer | lr |
    | --- | --- |
    | SGD | 0.95 |
    | Adam | 0.3 |
    """

    header: Sequence[str]
    rows: Sequence[Sequence[str]]

    def __post_init__(self) -> None:
        for number, row in enumerate(self.rows):
            if len(row) != len(self.header):
                raise ValueError(
                    f"Table: row {number} has {len(row)} cells, the header has {len(self.header)}"
                )

    def _repr_markdown_(self) -> str:
        lines = [self.header, ["---"] * len(self.header), *self.rows]
        return "\n".join("| " + " | ".join(row) + " |" for row in lines)
