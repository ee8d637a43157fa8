"""`everyseat serve` as a process: signed requests in, calls to a fake Web API out."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, func, select

from bot import messages
from db.models import Nomination
from tests.fakes.slack_web_api import FakeSlack
from tests.handlers.slack.conftest import SIGNING_SECRET
from tests.support.block_kit import section_texts
from tests.support.processes import serve_process
from tests.support.slack_requests import SlackSender

STORY = "Spotted the sepsis signs on a routine obs round and escalated straight away."


def test_serve_accepts_signed_nominations_and_refuses_bad_ones(
    fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    fake_slack.add_user("UANA", "Ana", title="Ward sister")
    fake_slack.add_user("UNIA", "Nia", title="Healthcare assistant")
    fake_slack.add_user("UROTA", "Rota bot", is_bot=True)
    with serve_process(
        tmp_path,
        "--no-scheduler",
        SLACK_BOT_TOKEN="xoxb-process-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
        DATABASE_URL=database_url,
    ) as base_url:
        sender = SlackSender(base_url, SIGNING_SECRET, fake_slack.response_url)
        assert sender.command("").status_code == 200
        fake_slack.wait_for("views.open")

        sender.command(f"<@UNIA> {STORY} #speaking-up")
        posts = fake_slack.wait_for("chat.postMessage", 2)
        assert {c.args["channel"] for c in posts} == {"CWARD", "UNIA"}
        public = next(c for c in posts if c.args["channel"] == "CWARD")
        assert STORY in section_texts(public.args["blocks"])

        sender.command(f"<@UROTA> {STORY}")
        sender.command("<@UNIA>")
        replies = fake_slack.wait_for("response_url", 3)
        texts = [reply.args["text"] for reply in replies]
        assert any(messages.BOT_NOMINEE.format(name="Rota bot") in t for t in texts)
        assert any("Tell the story in at least 20 characters" in t for t in texts)

        assert (
            sender.post(sender.command_body(f"<@UNIA> {STORY}"), secret="forged").status_code == 401
        )

    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Nomination)) == 1
    engine.dispose()
