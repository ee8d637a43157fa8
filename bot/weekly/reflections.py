"""Quotes from the source writing and reflection questions, rotated week by week.

The quotes (bot/data/quotes.toml) are copied verbatim from the source documents kept in
bot/data/sources/ (listed in sources.toml), and each names the file it comes from;
the questions (bot/data/prompts.toml) are open questions per leadership behaviour. Each
workspace walks through every quote in its own shuffled order before any repeats, and the
choice depends only on the workspace and the week, so a preview shows what will be posted.
"""

from __future__ import annotations

import hashlib
import random
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from bot import messages
from bot.nominations.behaviours import BehaviourCatalogue, CatalogueError


@dataclass(frozen=True)
class Quote:
    text: str
    source: str  # the document's title
    behaviours: tuple[str, ...]
    document: str = ""  # the file in bot/data/sources/ the quote is copied from
    author: str | None = None  # the writer, or the named reader who commented
    is_comment: bool = False

    @property
    def attribution(self) -> str:
        if self.author is None:
            return messages.QUOTE_FROM_DOCUMENT.format(source=self.source)
        template = messages.QUOTE_FROM_COMMENT if self.is_comment else messages.QUOTE_FROM_AUTHOR
        return template.format(author=self.author, source=self.source)


@dataclass(frozen=True)
class ReflectionQuestion:
    behaviour: str
    text: str


@dataclass(frozen=True)
class Reflection:
    """A week's prompt: a question paired with a quote on one of the same behaviours."""

    quote: Quote
    question: ReflectionQuestion


def _stable_int(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


class ReflectionCatalogue:
    def __init__(self, quotes: list[Quote], questions: list[ReflectionQuestion]) -> None:
        if not quotes or not questions:
            raise CatalogueError("the reflection catalogue needs quotes and questions")
        self.quotes = tuple(quotes)
        self.questions = tuple(questions)

    def _order(self, rotation_key: str, cycle: int) -> list[int]:
        order = list(range(len(self.quotes)))
        random.Random(_stable_int(f"{rotation_key}:{cycle}")).shuffle(order)
        return order

    def reflection_for(self, rotation_key: str, slot: int) -> Reflection:
        """The reflection for a workspace (`rotation_key`) at a numbered weekly slot.

        Slots run through every quote once per cycle, in an order shuffled per workspace
        and cycle; a new cycle never opens with the quote that closed the last one.
        """
        cycle, position = divmod(slot, len(self.quotes))
        order = self._order(rotation_key, cycle)
        if cycle > 0 and len(order) > 1 and order[0] == self._order(rotation_key, cycle - 1)[-1]:
            order[0], order[1] = order[1], order[0]
        quote = self.quotes[order[position]]
        fitting = [q for q in self.questions if q.behaviour in quote.behaviours] or list(
            self.questions
        )
        # Each cycle moves on to the next fitting question, so pairs don't repeat either.
        question = fitting[(cycle + _stable_int(rotation_key + quote.text)) % len(fitting)]
        return Reflection(quote, question)


def _tables(text: str, source: str, name: str) -> list[dict[str, Any]]:
    try:
        entries = tomllib.loads(text).get(name)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{source}: not valid TOML ({exc})") from exc
    if not isinstance(entries, list):
        raise CatalogueError(f"{source}: expected [[{name}]] tables")
    return entries


@dataclass(frozen=True)
class SourceDocument:
    """One of the documents the quotes come from (bot/data/sources/sources.toml)."""

    file: str
    title: str
    author: str | None = None
    publisher: str | None = None


def parse_sources(text: str) -> dict[str, SourceDocument]:
    """The source documents by file name."""
    documents: dict[str, SourceDocument] = {}
    for index, entry in enumerate(_tables(text, "sources.toml", "source"), start=1):
        if not entry.get("file") or not entry.get("title"):
            raise CatalogueError(f"sources.toml: source {index} needs a file and a title")
        document = SourceDocument(
            file=str(entry["file"]),
            title=str(entry["title"]),
            author=entry.get("author"),
            publisher=entry.get("publisher"),
        )
        documents[document.file] = document
    return documents


def parse_reflections(
    quotes_text: str,
    prompts_text: str,
    known: BehaviourCatalogue | None = None,
    sources: dict[str, SourceDocument] | None = None,
) -> ReflectionCatalogue:
    """Parse both files; with `known`, every behaviour slug must be in that catalogue, and
    with `sources`, every quote must name one of those documents and carry its title."""
    quotes: list[Quote] = []
    for index, entry in enumerate(_tables(quotes_text, "quotes.toml", "quote"), start=1):
        slugs = tuple(entry.get("behaviours") or ())
        if not entry.get("text") or not entry.get("source") or not slugs:
            raise CatalogueError(f"quotes.toml: quote {index} needs text, source and behaviours")
        unknown = [slug for slug in slugs if known is not None and slug not in known]
        if unknown:
            raise CatalogueError(f"quotes.toml: quote {index} has unknown behaviours {unknown}")
        document = str(entry.get("document") or "")
        if sources is not None and (
            document not in sources or sources[document].title != entry["source"]
        ):
            raise CatalogueError(
                f"quotes.toml: quote {index} must name its document (a file in sources.toml) "
                "and that document's title as its source"
            )
        quotes.append(
            Quote(
                text=str(entry["text"]),
                source=str(entry["source"]),
                behaviours=slugs,
                document=document,
                author=entry.get("author"),
                is_comment=bool(entry.get("comment", False)),
            )
        )
    questions: list[ReflectionQuestion] = []
    for index, entry in enumerate(_tables(prompts_text, "prompts.toml", "question"), start=1):
        behaviour = str(entry.get("behaviour") or "")
        if not entry.get("text") or not behaviour or (known is not None and behaviour not in known):
            raise CatalogueError(f"prompts.toml: question {index} needs text and a known behaviour")
        questions.append(ReflectionQuestion(behaviour, str(entry["text"])))
    return ReflectionCatalogue(quotes, questions)


def load_reflections(known: BehaviourCatalogue | None = None) -> ReflectionCatalogue:
    """The quotes and questions shipped with Everyseat."""
    data = resources.files("bot") / "data"
    return parse_reflections(
        (data / "quotes.toml").read_text(encoding="utf-8"),
        (data / "prompts.toml").read_text(encoding="utf-8"),
        known,
        load_sources(),
    )


def load_sources() -> dict[str, SourceDocument]:
    """The source documents shipped with Everyseat, by file name."""
    listing = resources.files("bot") / "data" / "sources" / "sources.toml"
    return parse_sources(listing.read_text(encoding="utf-8"))


def read_source_text(document: SourceDocument) -> str:
    """The full text of a source document, as collected."""
    path = resources.files("bot") / "data" / "sources" / document.file
    return path.read_text(encoding="utf-8")
