"""Reading Teams activities: who spoke, where, and what a mention nomination says."""

from __future__ import annotations

from handlers.teams.turns import PersonRef, parse_message_command, parse_turn
from tests.handlers.teams.conftest import WARD7, load_activity


def test_mention_nomination_drops_only_the_bots_mention() -> None:
    turn = parse_turn(load_activity("message_mention_nominate", "http://fake/teams/"))
    assert turn.conversation_type == "channel" and turn.is_shared
    assert turn.tenant_id == "tenant-nhs"
    assert turn.team_id == WARD7 and turn.team_name == "Ward 7"
    assert turn.sender == PersonRef("29:ana-teams-id", "Ana Lopes", "aad-ana")
    command = parse_message_command(turn)
    assert command.verb == "nominate"
    assert command.nominees == (
        PersonRef("29:nia-teams-id", "Nia Okafor"),
        PersonRef("29:sam-teams-id", "Sam Reid"),
    )
    assert command.behaviour_slugs == ("speaking-up",)
    assert command.story == "Led the handover huddle when the ward was two nurses short."
    assert command.typed.startswith("@Nia Okafor @Sam Reid Led the handover huddle")


def test_html_text_and_repeated_mentions() -> None:
    activity = load_activity(
        "message_mention_nominate",
        "http://fake/teams/",
        text="<p><at>Everyseat</at> Nominate <at>Nia Okafor</at> &amp; <at>Nia Okafor</at> "
        "kept calm &amp; carried the shift</p>",
    )
    bot, nia = activity["entities"][:2]
    activity["entities"] = [bot, nia, dict(nia)]
    command = parse_message_command(parse_turn(activity))
    assert command.verb == "nominate"
    assert [person.ref for person in command.nominees] == ["29:nia-teams-id"]
    assert command.story == "& kept calm & carried the shift"


def test_personal_chat_has_no_team() -> None:
    turn = parse_turn(load_activity("message_personal_nominate", "http://fake/teams/"))
    assert turn.is_personal and not turn.is_shared
    assert turn.team_id is None
    assert parse_message_command(turn).verb == "nominate"
