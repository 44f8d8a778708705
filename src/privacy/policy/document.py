"""A published notice as a list of plain blocks, and its Markdown form.

`render.build_document` turns the declaration into a `Document` in one language; the
HTML page (templates/policy/document.html) and `to_markdown` both print that same
Document, so the two renderings cannot say different things.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

Lang = Literal["en", "zh"]
Notice = Literal["privacy", "cookies"]


@dataclass(frozen=True)
class Heading:
    kind: ClassVar[str] = "heading"
    level: int
    text: str
    anchor: str = ""


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    text: str
    lead: str = ""  # a bold lead-in ("Essential Cookies"), followed by ": "


@dataclass(frozen=True)
class Bullets:
    kind: ClassVar[str] = "bullets"
    items: tuple[str, ...]


@dataclass(frozen=True)
class Terms:
    """A definition list: term and description pairs."""

    kind: ClassVar[str] = "terms"
    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    kind: ClassVar[str] = "table"
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[tuple[str, ...], ...], ...]  # row -> cell -> lines


Block = Heading | Paragraph | Bullets | Terms | Table


@dataclass(frozen=True)
class Document:
    lang: Lang
    html_lang: str  # the Django language code the page is served in ("en", "zh-hans")
    notice: Notice
    title: str
    meta: tuple[tuple[str, str], ...]  # (label, value): version, effective date, last updated
    effective_date_iso: str
    contents_label: str
    toc: tuple[Heading, ...]
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    @property
    def colon(self) -> str:
        """The separator after a label: full-width in Chinese."""
        return "：" if self.lang == "zh" else ": "


def to_markdown(document: Document) -> str:
    lines = [f"# {document.title}", ""]
    colon = document.colon
    lines += [" · ".join(f"{label}{colon}{value}" if label else value for label, value in document.meta), ""]
    lines += [f"## {document.contents_label}", ""]
    for entry in document.toc:
        indent = "  " * (entry.level - 2)
        lines.append(f"{indent}- [{entry.text}](#{entry.anchor})")
    lines.append("")
    for block in document.blocks:
        lines += _markdown_block(block, colon)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _markdown_block(block: Block, colon: str) -> list[str]:
    if isinstance(block, Heading):
        return [f"{'#' * block.level} {block.text}"]
    if isinstance(block, Paragraph):
        return [f"**{block.lead}**{colon}{block.text}" if block.lead else block.text]
    if isinstance(block, Bullets):
        return [f"- {item}" for item in block.items]
    if isinstance(block, Terms):
        return [f"- **{term}**{colon}{text}" for term, text in block.items]
    lines = [f"*{block.caption}*", ""] if block.caption else []
    lines.append("| " + " | ".join(_cell((header,)) for header in block.headers) + " |")
    lines.append("|" + "|".join(" --- " for _ in block.headers) + "|")
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in block.rows]
    return lines


def _cell(lines: tuple[str, ...]) -> str:
    return "<br>".join(line.replace("|", "\\|") for line in lines)
