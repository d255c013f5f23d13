"""Where a Word paragraph's text sits in its Markdown source, character by character.

The draft's text and the source differ by markup (`*`, `[…](…)`, list markers), by
shortcodes resolved to their values and by pandoc's typography (curly quotes). difflib aligns
the two; a change is placed only where its text lies in one stretch of identical characters,
so an edit never cuts through markup it cannot see.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

# One character for one: offsets in the normalised text are offsets in the original.
TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
        "\u202f": " ",
        "\u2011": "-",
        "\t": " ",
        "\n": " ",
        "\r": " ",
    }
)
MIN_ANCHOR = 4  # characters of identical text an insertion must touch to be placed
# Inline markup that wraps text symmetrically: *em*, **strong**, ~~struck~~, ^sup^, `code`.
PAIRED_MARKUP = set("*_~^`")


def normalise(text: str) -> str:
    return text.translate(TYPOGRAPHY)


@dataclass
class Alignment:
    """Maps offsets of a Word paragraph's original text to offsets in its source text."""

    to_source: list[int]  # -1 where the character is not in the source
    block: list[int]  # which run of identical characters each offset belongs to
    block_sizes: list[int]
    source: str = ""
    aligned: set[int] | None = None  # source offsets that appear in the Word text

    @classmethod
    def of(cls, word_text: str, source_text: str) -> Alignment:
        matcher = difflib.SequenceMatcher(
            None, normalise(word_text), normalise(source_text), autojunk=False
        )
        to_source = [-1] * len(word_text)
        block = [-1] * len(word_text)
        sizes = []
        for number, match in enumerate(m for m in matcher.get_matching_blocks() if m.size):
            sizes.append(match.size)
            for k in range(match.size):
                to_source[match.a + k] = match.b + k
                block[match.a + k] = number
        aligned = {b for b in to_source if b >= 0}
        return cls(to_source, block, sizes, source_text, aligned)

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """Source range of the word range [start, end), when it is one identical stretch."""
        if end <= start or end > len(self.to_source):
            return None
        first, last = self.block[start], self.block[end - 1]
        if first < 0 or first != last:
            return None
        return self.to_source[start], self.to_source[end - 1] + 1

    def deletion(self, start: int, end: int) -> tuple[int, int] | None:
        """Source range to delete for the word range [start, end): its span, widened over
        markup that would be left wrapping nothing (deleting "short" of *short*)."""
        span = self.span(start, end)
        if span is None:
            return None
        first, last = span
        left, right = first, last
        while left > 0 and left - 1 not in self.aligned and self.source[left - 1] in PAIRED_MARKUP:
            left -= 1
        while (
            right < len(self.source)
            and right not in self.aligned
            and self.source[right] in PAIRED_MARKUP
        ):
            right += 1
        opening, closing = self.source[left:first], self.source[last:right]
        if opening and opening == closing[::-1]:
            return left, right
        return first, last

    def point(self, offset: int) -> int | None:
        """Source offset for an insertion before word offset `offset` (after the character
        before it by preference: Word gives typed text the formatting on its left)."""
        left = offset - 1
        if left >= 0 and self.block[left] >= 0 and self._solid(left):
            return self.to_source[left] + 1
        if offset < len(self.to_source) and self.block[offset] >= 0 and self._solid(offset):
            return self.to_source[offset]
        return None

    def nearest(self, offset: int) -> int | None:
        """The source offset of the first aligned character at or after `offset` (for lines)."""
        for index in range(max(offset, 0), len(self.to_source)):
            if self.to_source[index] >= 0:
                return self.to_source[index]
        return None

    def _solid(self, offset: int) -> bool:
        size = self.block_sizes[self.block[offset]]
        return size >= min(MIN_ANCHOR, len(self.to_source))
