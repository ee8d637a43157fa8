"""How the admin statistics look in Slack: the App Home panel and the /recognition stats
message stay valid Block Kit within Slack's limits, whatever the figures say."""

from __future__ import annotations

from dataclasses import replace

from bot import messages
from bot.nominations.behaviours import Behaviour
from bot.recognition.views import PersonView, RecognitionView
from bot.reporting.summary import GroupSection, StatsSummary
from handlers.slack.admin import home_panel_blocks, stats_blocks
from handlers.slack.render import home_view
from tests.support.block_kit import assert_valid_message, assert_valid_view, section_texts

MANY_SEATS = messages.STATS_NEVER_RECOGNISED.format(
    seats=", ".join(f"Specialist <role> & grade {n} (1)" for n in range(600))
)


def summary(unseen_seats: str = MANY_SEATS) -> StatsSummary:
    return StatsSummary(
        header="Recognition, the last 30 days",
        totals="5 nominations from 5 people recognised 4 people; 2 “I saw this too”.",
        coverage="Coverage: 36% of 11 active members were recognised at least once.",
        spread="Spread: the top 10% of recipients (1 people) received 50% of recognitions.",
        unseen_seats=unseen_seats,
        groups=(GroupSection(messages.STATS_BY_TITLE, ("Porter: 4 nominations, 1 people",)),),
        weekly="Per week (nominations / people recognised): 02 Nov 2/3",
    )


def recognition(number: int) -> RecognitionView:
    return RecognitionView(
        nomination_id=number,
        nominator=PersonView("UANA", "Ana"),
        nominees=(PersonView("UNIA", "Nia"),),
        behaviours=(Behaviour("speaking-up", "Speaking up", ""),),
        story="Raised the concern about the rota before anyone else did. " * 10,
        is_private=False,
        endorsements=0,
    )


def test_a_long_list_of_unseen_seats_is_shortened_and_escaped() -> None:
    panel = home_panel_blocks(summary())
    view = home_view([], [], panel)
    assert_valid_view(view)
    shown = section_texts(view["blocks"])
    assert "Seats never recognised: Specialist &lt;role&gt; &amp; grade 0 (1)" in shown
    assert "grade 599" not in shown and "…" in shown
    assert_valid_message({"text": "stats", "blocks": stats_blocks(summary())})


def test_home_stays_within_100_blocks_and_keeps_the_panel() -> None:
    panel = home_panel_blocks(summary())
    view = home_view(
        [recognition(n) for n in range(80)], [recognition(n) for n in range(80)], panel
    )
    assert_valid_view(view)
    assert len(view["blocks"]) == 100
    assert view["blocks"][-len(panel) :] == panel
    assert [e["action_id"] for e in view["blocks"][-1]["elements"]] == [
        "admin_home_export_csv",
        "admin_home_export_xlsx",
    ]


def test_home_without_a_panel_is_unchanged() -> None:
    view = home_view([recognition(1)], [])
    assert_valid_view(view)
    assert messages.HOME_ADMIN_HEADER not in section_texts(view["blocks"])


def test_long_staff_group_and_pay_band_lists_stay_within_slacks_section_limit() -> None:
    long_label = "Allied Health <Professionals> & Scientific " * 6  # ~260 characters
    lines = tuple(
        f"{long_label}{n}: 6 of 12 people recognised (50%); 6 nominations" for n in range(13)
    )
    seniority = (
        GroupSection(messages.STATS_BY_STAFF_GROUP, lines, "staff_group"),
        GroupSection(
            messages.STATS_BY_PAY_BAND,
            ("Band 5: 6 of 12 people recognised (50%); 6 nominations",),
            "pay_band",
        ),
    )
    with_seniority = replace(summary(), groups=(*summary().groups, *seniority))
    message = {"text": "stats", "blocks": stats_blocks(with_seniority)}
    assert_valid_message(message)
    panel = home_panel_blocks(with_seniority)
    assert_valid_view(home_view([], [], panel))
    staff = next(
        b for b in panel if messages.STATS_BY_STAFF_GROUP in b.get("text", {}).get("text", "")
    )
    assert len(staff["text"]["text"]) <= 3000
    assert "&lt;Professionals&gt; &amp;" in staff["text"]["text"]
    assert staff["text"]["text"].endswith("\n…")  # cut at a whole line, saying so
    assert any("*By pay band" in b.get("text", {}).get("text", "") for b in panel)
