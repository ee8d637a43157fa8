"""The quotes catalogue (verbatim from the seeds) and its per-workspace weekly rotation."""

from __future__ import annotations

import pytest

from bot.nominations.behaviours import load_catalogue
from bot.weekly.reflections import load_reflections, load_sources, read_source_text


@pytest.fixture(scope="module")
def reflections():  # type: ignore[no-untyped-def]
    return load_reflections(load_catalogue())  # validates every behaviour slug too


def test_every_quote_is_word_for_word_from_the_document_it_names(reflections) -> None:  # type: ignore[no-untyped-def]
    sources = load_sources()
    assert len(sources) == 5
    texts = {name: read_source_text(document) for name, document in sources.items()}
    missing = [q.text for q in reflections.quotes if q.text not in texts[q.document]]
    assert missing == []
    # Named authors really appear in the document their quote comes from, and so do the
    # authors the sources list names.
    for quote in reflections.quotes:
        assert quote.source == sources[quote.document].title
        if quote.author:
            assert quote.author in texts[quote.document], quote
    for name, document in sources.items():
        if document.author:
            assert document.author in texts[name]
    # Every document is quoted at least once.
    assert {q.document for q in reflections.quotes} == set(sources)


def test_catalogue_has_thirty_quotes_and_questions_for_every_behaviour(reflections) -> None:  # type: ignore[no-untyped-def]
    assert len(reflections.quotes) >= 30
    assert len({q.text for q in reflections.quotes}) == len(reflections.quotes)
    for behaviour in load_catalogue():
        questions = [q for q in reflections.questions if q.behaviour == behaviour.slug]
        assert len(questions) >= 2, behaviour.slug
        assert all(q.text.endswith("?") for q in questions)
        assert any(behaviour.slug in q.behaviours for q in reflections.quotes), behaviour.slug


def test_attribution_names_the_author_or_the_document(reflections) -> None:  # type: ignore[no-untyped-def]
    by_author = {q.author: q for q in reflections.quotes}
    assert (
        by_author["Rob Webster"].attribution == "Rob Webster, “Leading from every seat in the NHS”"
    )
    assert by_author["Umesh Prabhu"].attribution == (
        "Umesh Prabhu, commenting on “Leading from every seat in the NHS”"
    )
    assert by_author[None].attribution.startswith("“") and by_author[None].author is None


def test_no_quote_repeats_in_a_workspace_until_all_have_been_used(reflections) -> None:  # type: ignore[no-untyped-def]
    count = len(reflections.quotes)
    first_cycle = [reflections.reflection_for("workspace:1", slot) for slot in range(count)]
    assert len({r.quote.text for r in first_cycle}) == count
    # Deterministic: a preview shows exactly what will be posted.
    assert first_cycle == [reflections.reflection_for("workspace:1", s) for s in range(count)]
    # The next cycle starts again, never with the quote that just closed the last one.
    assert reflections.reflection_for("workspace:1", count).quote != first_cycle[-1].quote
    second_cycle = [reflections.reflection_for("workspace:1", count + s) for s in range(count)]
    assert len({r.quote.text for r in second_cycle}) == count
    # Each question fits its quote's behaviours.
    assert all(r.question.behaviour in r.quote.behaviours for r in first_cycle)


def test_workspaces_rotate_in_different_orders(reflections) -> None:  # type: ignore[no-untyped-def]
    one = [reflections.reflection_for("workspace:1", s).quote.text for s in range(10)]
    two = [reflections.reflection_for("workspace:2", s).quote.text for s in range(10)]
    assert one != two
