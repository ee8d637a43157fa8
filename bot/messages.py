"""Every sentence Everyseat says to a person, in one place so it can be tested and changed.

Values are plain text; renderers escape and format them for each platform.
"""

from __future__ import annotations

# Nomination rules
NO_NOMINEES = "Choose at least one colleague to recognise."
TOO_MANY_NOMINEES = "Choose at most {limit} colleagues in one nomination (you chose {count})."
SELF_NOMINATION = "You can't nominate yourself — recognition here is for what you see in others."
BOT_NOMINEE = "{name} is a bot or app, not a colleague; choose a person."
DEACTIVATED_NOMINEE = "{name}'s account is deactivated; choose someone who is still here."
STORY_TOO_SHORT = (
    "Tell the story in at least {minimum} characters (you wrote {length}): "
    "what did they do, and what difference did it make?"
)
STORY_TOO_LONG = "Keep the story to {maximum} characters (you wrote {length}); trim {over}."
NO_BEHAVIOURS = "Choose at least one leadership behaviour."
UNKNOWN_BEHAVIOURS = "Unknown behaviour {tags}. Choose from: {known}."
BAD_VISIBILITY = "Choose whether the nomination is public or private."
DAILY_CAP_REACHED = (
    "You've made {cap} nominations today, the daily limit. "
    "Please save this one and send it tomorrow."
)

# Endorsements
NOMINATION_NOT_FOUND = "That nomination no longer exists."
OWN_NOMINATION = "You're part of this nomination, so you can't add an \"I saw this too\"."
ALREADY_ENDORSED = "You've already said you saw this too — thank you."
ENDORSED = "Thanks — you've added your voice to this recognition."

# Storage
STORAGE_UNAVAILABLE = (
    "Everyseat couldn't reach its database just now, so nothing was saved. "
    "Please try again in a minute."
)
UNEXPECTED_ERROR = (
    "Sorry, something went wrong on our side and nothing was changed. Please try again."
)

# Recognition
RECOGNITION_HEADER = "Leadership from every seat"
RECOGNITION_LINE = "{nominator} recognised {nominees} for {behaviours}"
RECOGNITION_LINE_ANONYMOUS = "{nominees} recognised for {behaviours}"
ENDORSE_BUTTON = "I saw this too"
ENDORSEMENT_COUNT = {0: "Be the first to say you saw this too", 1: "1 person saw this too"}
ENDORSEMENT_COUNT_MANY = "{count} people saw this too"
NOMINEE_DM = "{nominator} recognised you for {behaviours}: “{story}”"
NOMINEE_DM_PRIVATE = "{nominator} recognised you privately for {behaviours}: “{story}”"
FROM_MESSAGE = "About this message: {url}"

# Confirmation to the nominator
RECORDED_PUBLIC = "Recorded: you recognised {nominees} for {behaviours}. It's posted in {channel}."
RECORDED_PUBLIC_UNPOSTED = (
    "Recorded: you recognised {nominees} for {behaviours}. "
    "I couldn't post it in {channel} ({reason}); invite me there with /invite @Everyseat."
)
RECORDED_PRIVATE = (
    "Recorded privately: you recognised {nominees} for {behaviours}. Only they have been told."
)
ALREADY_RECORDED = "Already recorded a moment ago — this one wasn't saved twice."
DEFAULT_BEHAVIOUR_USED = "No #behaviour given, so I used #{slug}."
ONE_LINE_USAGE = (
    "To nominate in one line: /nominate @colleague what they did and why it mattered "
    "#behaviour — or type /nominate alone to open the form."
)
ONE_LINE_NEEDS_FORM = "{problem} I've opened the form with what you wrote so you can finish it."
ONE_LINE_REJECTED = "Not recorded: {problem}"
UNRESOLVED_NAMES = (
    "I couldn't tell who {names} is — pick them from the @-mention list so Slack sends "
    "their id, or use the form."
)

# The nomination form
FORM_TITLE = "Nominate a colleague"
FORM_SUBMIT = "Nominate"
FORM_CANCEL = "Cancel"
FORM_INTRO = (
    "Recognise leadership from every seat: the porter who reorganised the rota, the "
    "receptionist who raised a concern, the nurse who coached a wary team."
)
FORM_NOMINEES = "Who showed leadership?"
FORM_BEHAVIOURS = "Which leadership behaviours?"
FORM_STORY = "What did they do?"
FORM_STORY_HINT = "Between {minimum} and {maximum} characters. What happened, and what changed?"
FORM_VISIBILITY = "Who can see it?"
FORM_PUBLIC = "Public: posted in the recognition channel"
FORM_PRIVATE = "Private: only the people you nominate are told"
FORM_FROM_MESSAGE = "About this message: {url}"

# Microsoft Teams: where Teams works differently from Slack (no slash commands, no
# ephemeral replies, channels reached through an installed team).
TEAMS_USAGE = (
    "To nominate here: @Everyseat nominate @colleague [@colleague…] what they did and why "
    "it mattered #behaviour — or send “nominate” alone to open the form."
)
TEAMS_NOT_UNDERSTOOD = "I didn't catch that. " + TEAMS_USAGE
TEAMS_STATS_NOT_AVAILABLE = (
    "Statistics aren't available in Teams yet; run `everyseat stats` on the server instead."
)
TEAMS_THIS_CONVERSATION = "this conversation"
TEAMS_RECORDED_PUBLIC_UNPOSTED = (
    "Recorded: you recognised {nominees} for {behaviours}. I couldn't post it ({reason}); "
    "add Everyseat to a team so recognition can be shared there."
)
TEAMS_NO_TEAM_INSTALLED = "Everyseat isn't installed in a team channel yet"
TEAMS_POST_FAILED = "Teams refused the post"
TEAMS_FORM_PUBLIC = "Public: posted in this conversation, or in your team's channel"
TEAMS_FORM_PEOPLE_PLACEHOLDER = "Search for colleagues by name"
TEAMS_FORM_STORY_PLACEHOLDER = "What happened, and what changed because of them?"
TEAMS_COMMAND_NOMINATE = "Recognise a colleague: @mention them, tell the story, add a #behaviour"
TEAMS_COMMAND_HELP = "How to nominate with Everyseat"
TEAMS_EXTENSION_NOMINATE = "Nominate a colleague for leadership from every seat"
TEAMS_SHORT_DESCRIPTION = "Recognise leadership from every seat."
TEAMS_FULL_DESCRIPTION = (
    "Nominate colleagues who show leadership from every seat — the porter who reorganised "
    "the rota, the receptionist who raised a concern — and see where leadership is, and "
    "isn't, being noticed."
)

# App Home
HOME_TITLE = "Everyseat"
HOME_INTRO = "Leadership isn't a job title. Recognise it wherever you see it."
HOME_NOMINATE_BUTTON = "Nominate a colleague"
HOME_RECEIVED = "Recognition you received recently"
HOME_GIVEN = "Recognition you gave recently"
HOME_NONE_RECEIVED = "Nothing yet — it will come."
HOME_NONE_GIVEN = "You haven't nominated anyone yet. Who did you see lead this week?"

# Console
CONSOLE_WELCOME = (
    "Everyseat console — the same nominations as in Slack, stored in {database}.\n"
    "You are @{user}. Type /help for commands, /quit to leave."
)
CONSOLE_HELP = """Commands:
  /nominate @name [@name…] story [#behaviour]   recognise colleagues
  /recent [N]                                   list the latest nominations
  /behaviours                                   list the leadership behaviours
  /as name                                      act as another person
  /help                                         this list
  /quit                                         leave"""
CONSOLE_UNKNOWN_COMMAND = "Unknown command {command!r}. Type /help for the list."
CONSOLE_NO_NOMINATIONS = (
    "No nominations yet. Try /nominate @nia Led the huddle when we were short #speaking-up"
)
CONSOLE_NOW_ACTING_AS = "You are now @{user}."
CONSOLE_BAD_NAME = (
    "Names are letters, digits, dots, hyphens or underscores, such as @nia or @sam.lee."
)
CONSOLE_BAD_COUNT = "Give a number of nominations to list, such as /recent 5."
CONSOLE_NO_SLACK = (
    "No chat platform credentials found (missing: {missing}).\n"
    "To connect Slack: create an app from manifest.yml at https://api.slack.com/apps "
    '("Create New App" → "From an app manifest"), install it, then put the bot token and '
    "signing secret in .env (see .env.example).\n"
    "Starting the local console instead."
)


def endorsement_count(count: int) -> str:
    return ENDORSEMENT_COUNT.get(count, ENDORSEMENT_COUNT_MANY.format(count=count))


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
