"""The leadership-behaviours catalogue: what a nomination can recognise."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Behaviour:
    slug: str
    name: str
    description: str

    @property
    def hashtag(self) -> str:
        return f"#{self.slug}"


class CatalogueError(ValueError):
    """The behaviours file is malformed; the message says where."""


class BehaviourCatalogue:
    """An ordered, read-only set of behaviours looked up by slug."""

    def __init__(self, behaviours: Iterable[Behaviour]) -> None:
        self._by_slug: dict[str, Behaviour] = {}
        for behaviour in behaviours:
            if behaviour.slug in self._by_slug:
                raise CatalogueError(f"behaviour {behaviour.slug!r} is listed twice")
            self._by_slug[behaviour.slug] = behaviour
        if not self._by_slug:
            raise CatalogueError("the catalogue lists no behaviours")

    def __iter__(self) -> Iterator[Behaviour]:
        return iter(self._by_slug.values())

    def __len__(self) -> int:
        return len(self._by_slug)

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug

    def get(self, slug: str) -> Behaviour | None:
        return self._by_slug.get(slug)

    def __getitem__(self, slug: str) -> Behaviour:
        return self._by_slug[slug]

    @property
    def default(self) -> Behaviour:
        return next(iter(self._by_slug.values()))

    def name_of(self, slug: str) -> str:
        """The behaviour's name, or the slug itself if it has since left the catalogue."""
        behaviour = self._by_slug.get(slug)
        return behaviour.name if behaviour else slug


def parse_catalogue(text: str, source: str) -> BehaviourCatalogue:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{source}: not valid TOML ({exc})") from exc
    entries = data.get("behaviour")
    if not isinstance(entries, list):
        raise CatalogueError(f"{source}: expected [[behaviour]] tables")
    behaviours = []
    for index, entry in enumerate(entries, start=1):
        missing = [key for key in ("slug", "name", "description") if not entry.get(key)]
        if missing:
            raise CatalogueError(f"{source}: behaviour {index} has no {', '.join(missing)}")
        slug = str(entry["slug"])
        if not SLUG_PATTERN.match(slug) or len(slug) > 64:
            raise CatalogueError(
                f"{source}: behaviour {index} slug {slug!r} must be lowercase words joined "
                "by hyphens (at most 64 characters)"
            )
        behaviours.append(Behaviour(slug, str(entry["name"]), str(entry["description"])))
    try:
        return BehaviourCatalogue(behaviours)
    except CatalogueError as exc:
        raise CatalogueError(f"{source}: {exc}") from exc


def load_catalogue(path: Path | None = None) -> BehaviourCatalogue:
    """The catalogue from `path`, or the one shipped with Everyseat."""
    if path is not None:
        return parse_catalogue(path.read_text(encoding="utf-8"), str(path))
    shipped = resources.files("bot") / "data" / "behaviours.toml"
    return parse_catalogue(shipped.read_text(encoding="utf-8"), "bot/data/behaviours.toml")
