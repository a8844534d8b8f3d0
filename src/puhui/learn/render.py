"""Lesson Markdown to HTML, one way for every page that shows it (offline export, hub, lab).

CommonMark with raw HTML escaped (a lesson cannot inject markup or script), links kept, and
images only from the course's own ``images/`` folder (written ``../images/x.svg``), their
address chosen by the caller; any other image is shown as its alt text, so no page fetches a
remote picture.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

#: How a lesson links an image of its course.
IMAGE_PREFIX = "../images/"


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def course_image(src: str) -> str | None:
    """The file name in images/ that ``src`` points to, or None when it points elsewhere."""
    name = src.removeprefix(IMAGE_PREFIX)
    if src.startswith(IMAGE_PREFIX) and name and "/" not in name and name not in (".", ".."):
        return name
    return None


def markdown(image_url: Callable[[str], str] = lambda name: IMAGE_PREFIX + name) -> MarkdownIt:
    """A renderer for lesson bodies; ``image_url(name)`` is where a page finds images/<name>."""

    def image_rule(
        self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        alt = self.renderInlineAsText(token.children or [], options, env)
        name = course_image(str(token.attrGet("src") or ""))
        if name is None:
            return esc(alt)
        return f'<img src="{esc(image_url(name))}" alt="{esc(alt)}">'

    md = MarkdownIt("commonmark", {"html": False})  # raw HTML in a lesson is shown as text
    md.add_render_rule("image", image_rule)
    return md
