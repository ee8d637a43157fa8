"""The board report: what is on the page, what stays hidden, and — in a real headless
Chromium — that it loads without errors, every chart is decoded, the tables hold the
expected figures and it prints on A4. A screenshot is kept in test-artifacts/."""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest

from bot.app.cli import main
from bot.reporting.board_report import build_board_report
from bot.reporting.periods import last_days
from bot.services import Services
from tests.support.clock import FakeClock
from tests.support.datasets import NOW, Dataset, build_dataset

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
A4_POINTS = (595, 842)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """`everyseat report` configures the root logger; put pytest's handlers back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def dataset(services: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Dataset:
    monkeypatch.setenv("DATABASE_URL", services.settings.DATABASE_URL)  # for `everyseat report`
    monkeypatch.chdir(Path(__file__).parent)  # no stray .env is read
    return build_dataset(services, clock)


def report_html(dataset: Dataset, min_cell: int) -> str:
    report = build_board_report(
        dataset.services, dataset.workspace_id, last_days(30, NOW), min_cell=min_cell
    )
    return report.html


def test_the_page_is_self_contained(dataset: Dataset) -> None:
    html = report_html(dataset, min_cell=1)
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    sources = re.findall(r'<img src="([^"]{0,30})', html)
    assert len(sources) == 4  # trend, coverage by seat, by department, Lorenz curve
    assert all(source.startswith("data:image/png;base64,") for source in sources)
    assert "@page { size: A4" in html and "@media print" in html


def test_alt_text_and_captions_are_on_every_chart(dataset: Dataset) -> None:
    html = report_html(dataset, min_cell=1)
    alts = re.findall(r'alt="([^"]*)"', html)
    assert len(alts) == 4 and all(alts)
    assert alts[0].startswith("Bar chart of nominations per week over the last 30 days: 5 weeks")
    assert html.count("Source: Everyseat recognition records, the last 30 days.") >= 4


def test_small_cells_are_hidden_with_a_note(dataset: Dataset) -> None:
    page = report_html(dataset, min_cell=5)
    assert "&lt;5 means fewer than 5 people or recognitions" in page
    # Pharmacist is one person: the seat is listed, its figures are not.
    pharmacist = re.search(r"<th scope=\"row\">Pharmacist</th>(.*?)</tr>", page, re.S)
    assert pharmacist is not None
    assert re.findall(r"<td[^>]*>([^<]*)</td>", pharmacist.group(1)) == ["&lt;5"] * 4
    assert "The spread of recognition isn't drawn: fewer than 5 people" in unescape(page)
    assert page.count("<img ") == 3


def test_everyseat_report_writes_the_page(
    dataset: Dataset, clock: FakeClock, tmp_path, capsys
) -> None:
    out = tmp_path / "board.html"
    assert (
        main(
            [
                "report",
                "--workspace",
                "T0FAKE",
                "--out",
                str(out),
                "--period",
                "30d",
                "--min-cell",
                "1",
            ],
            clock=clock,
        )
        == 0
    )
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(f"Wrote the board report (the last 30 days) to {out}.")
    )
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Leadership from every seat" in html


def test_everyseat_report_says_what_to_fix(
    dataset: Dataset, clock: FakeClock, tmp_path, capsys
) -> None:
    assert (
        main(["report", "--period", "last-month", "--out", str(tmp_path / "r.html")], clock=clock)
        == 1
    )
    assert "I can't read 'last-month' as a period" in capsys.readouterr().err
    unwritable = tmp_path / "missing-folder" / "r.html"
    assert main(["report", "--workspace", "T0FAKE", "--out", str(unwritable)], clock=clock) == 1
    assert f"Can't write {unwritable}" in capsys.readouterr().err


# --- in a real browser --------------------------------------------------------------------


def _chromium_or_skip() -> str:
    found = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    if not found:
        pytest.skip(
            "No chromium binary (/usr/bin/chromium): install it with `apt-get install -y "
            "chromium` to run the board report's browser test"
        )
    return found


@pytest.mark.slow
def test_the_board_report_in_a_real_browser(dataset: Dataset, tmp_path: Path) -> None:
    chromium = _chromium_or_skip()
    sync_api = pytest.importorskip("playwright.sync_api")
    page_file = tmp_path / "report.html"
    page_file.write_text(report_html(dataset, min_cell=1), encoding="utf-8")
    problems: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 1400})
            page.on(
                "console",
                lambda message: problems.append(message.text) if message.type == "error" else None,
            )
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_file.as_uri(), wait_until="load")

            images = page.evaluate(
                """[...document.images].map(image => ({
                    complete: image.complete, width: image.naturalWidth,
                    shown: image.getBoundingClientRect().width, alt: image.alt}))"""
            )
            tables = page.evaluate(
                """Object.fromEntries([...document.querySelectorAll('table.breakdown')].map(
                    table => [table.dataset.breakdown, Object.fromEntries(
                        [...table.tBodies[0].rows].map(row => [row.cells[0].innerText,
                            [...row.cells].slice(1).map(cell => cell.innerText)]))]))"""
            )
            headlines = page.evaluate(
                """[...document.querySelectorAll('.headline')].map(
                    box => [box.querySelector('.label').innerText,
                            box.querySelector('.value').innerText])"""
            )
            unseen = page.locator("#unseen-seats tbody tr").all_inner_texts()
            ARTIFACTS.mkdir(exist_ok=True)
            shot = page.screenshot(path=str(tmp_path / "board-report.png"), full_page=True)
            (ARTIFACTS / "board-report.png").write_bytes(shot)
            page.emulate_media(media="print")
            pdf = page.pdf(prefer_css_page_size=True)
        finally:
            browser.close()

    assert problems == []
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    assert len(images) == 4
    for image in images:
        assert image["complete"] and image["width"] > 0 and image["shown"] > 0, image
        assert image["alt"]
    assert dict(headlines)["Nominations"] == "5"
    assert dict(headlines)["Coverage (active members recognised at least once)"] == "40%"
    # Active members, people recognised, coverage, nominations: worked out in test_stats.
    assert tables["title"]["Porter"] == ["2", "1", "50%", "4"]
    assert tables["title"]["Nurse"] == ["3", "1", "33%", "2"]
    assert tables["department"]["Surgery"] == ["3", "2", "67%", "3"]
    assert tables["behaviour"]["Speaking up"] == ["3", "3"]
    assert [line.split("\t") for line in unseen] == [["Cleaner", "1"], ["Pharmacist", "1"]]
    assert pdf.startswith(b"%PDF")
    media_box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert media_box is not None
    assert (round(float(media_box.group(1))), round(float(media_box.group(2)))) == A4_POINTS
    assert (tmp_path / "board-report.png").stat().st_size > 10_000
