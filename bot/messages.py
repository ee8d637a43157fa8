"""Every sentence Everyseat says to a person, in one place so it can be tested and changed.

Values are plain text; renderers escape and format them for each platform.
"""

from __future__ import annotations

from dataclasses import dataclass

# Nomination rules
NO_NOMINEES = "Choose at least one colleague to recognise."
TOO_MANY_NOMINEES = "Choose at most {limit} in one nomination (you chose {count})."
SELF_NOMINATION = "You can't nominate yourself — recognition here is for what you see in others."
BOT_NOMINEE = "{name} is a bot or app, not a colleague; choose a person."
DEACTIVATED_NOMINEE = "{name}'s account is deactivated; choose someone who is still here."
NOMINEE_UNKNOWN = (
    "No one in this workspace has the user id {user_id} (they may have left, or the mention "
    "was typed rather than picked); choose the person from the list."
)
NOMINEE_OTHER_WORKSPACE = (
    "{name} belongs to another organisation's workspace (they reach you through a shared "
    "channel); choose a colleague from this workspace."
)
STORY_TOO_SHORT = (
    "Tell the story in at least {minimum} characters (you wrote {length}): "
    "what did they do, and what difference did it make?"
)
STORY_TOO_LONG = "Keep the story to {maximum} characters (you wrote {length}); trim {over}."
STORY_INVISIBLE = (
    "The story is empty once invisible characters (zero-width spaces and the like) are "
    "removed: tell it in words — what did they do, and what difference did it make?"
)
STORY_SENT_BACK = "Here is everything you wrote, so nothing is lost:\n{story}"
NO_BEHAVIOURS = "Choose at least one leadership behaviour."
UNKNOWN_BEHAVIOURS = "Unknown behaviour {tags}. Choose from: {known}."
BAD_VISIBILITY = "Choose whether the nomination is public or private."
DAILY_CAP_REACHED = (
    "You've made {made} today, the daily limit. Please save this one and send it tomorrow."
)

# The information-governance guard
PATIENT_IDENTIFIER_REFUSED = (
    "Not saved: your story contains {findings}. Patient identifiers must never go into "
    "Everyseat: nominations are posted to colleagues, sent as messages and kept for years, "
    "and a patient's details belong only in their clinical record. Take it out (the story "
    "works without it) and send again; everything else you wrote is kept."
)
PATIENT_IDENTIFIER_YOU_WROTE = "What you wrote, to edit and send again:\n{text}"
TEAMS_PATIENT_IDENTIFIER_KEPT = (
    "Your message above still holds what you wrote: edit the identifier out of it (or delete "
    "it), then send the nomination again."
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
STORAGE_TOO_SLOW = (
    "Everyseat's database didn't answer in time, so your nomination may not have been saved. "
    "Please send it again in a minute (if it was saved, I'll say it's already recorded)."
)
STORAGE_TRY_AGAIN_WITH_TEXT = "{problem} Here is what you wrote: {text}"
DRAINING = "Everyseat is restarting; please try again in a moment."
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
RECORDED_PUBLIC_QUEUED = (
    "Recorded: you recognised {nominees} for {behaviours}. Slack is busy, so the post in "
    "{channel} will follow in a few minutes."
)
RECORDED_PRIVATE = (
    "Recorded privately: you recognised {nominees} for {behaviours}. Only they have been told."
)
RECORDED_SLACK_ACCESS_REVOKED = (
    "Recorded: you recognised {nominees} for {behaviours}, and it is saved. But Slack refused "
    "Everyseat's access ({reason}), so nothing could be posted or sent to them. An admin needs "
    "to reinstall Everyseat in Slack (or replace its token) before recognition can go out."
)
SLACK_ACCESS_REVOKED = (
    "Slack refused Everyseat's access ({reason}), so I can't do that right now. An admin needs "
    "to reinstall Everyseat in Slack (or replace its token)."
)
SLACK_NO_RECOGNITION_CHANNEL = "a channel"
SLACK_NO_RECOGNITION_CHANNEL_REASON = (
    "no recognition channel is set and the form wasn't opened from one"
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
TEAMS_STATS_PERSONAL_ONLY = (
    "Statistics are only shown in a personal chat with Everyseat: open a chat with me and "
    "send “stats” (or “audit” for the audit trail)."
)
TEAMS_STATS_ON_CLI = (
    "Send “report” for the board report (figures, charts and tables) as a file; exports are "
    "on the server's command line (`everyseat export`)."
)
TEAMS_BOARD_OFFER = (
    "Here is the board report: accept to save it to your OneDrive, then open it in a browser."
)
TEAMS_BOARD_SENT = "The board report ({period}) is saved in your OneDrive:"
TEAMS_BOARD_DECLINED = "No problem — nothing was sent. Ask for the report again any time."
TEAMS_THIS_CONVERSATION = "this conversation"
TEAMS_RECORDED_PUBLIC_UNPOSTED = (
    "Recorded: you recognised {nominees} for {behaviours}. I couldn't post it ({reason}); "
    "add Everyseat to a team so recognition can be shared there."
)
TEAMS_RECORDED_ACCESS_REVOKED = (
    "Recorded: you recognised {nominees} for {behaviours}, and it is saved. But Teams refused "
    "Everyseat's credentials ({reason}), so nothing could be posted or sent to them. An admin "
    "needs to renew the bot's client secret."
)
TEAMS_YOUR_TEAM_CHANNEL = "your team's channel"
TEAMS_NO_TEAM_INSTALLED = "Everyseat isn't installed in a team channel yet"
TEAMS_RECORDED_PUBLIC_QUEUED = (
    "Recorded: you recognised {nominees} for {behaviours}. Teams didn't take the post in "
    "{channel} just now, so it will follow in a few minutes."
)


@dataclass(frozen=True)
class ConfirmationWording:
    """How one platform words the nominator's confirmation when the public post didn't go
    out (`{nominees}`, `{behaviours}`, `{channel}`, `{reason}`)."""

    unposted: str
    queued: str
    revoked: str  # the platform refused Everyseat's credentials (`{reason}`)
    nowhere_channel: str  # how to name the channel when there is nowhere to post
    nowhere_reason: str


SLACK_CONFIRMATION = ConfirmationWording(
    unposted=RECORDED_PUBLIC_UNPOSTED,
    queued=RECORDED_PUBLIC_QUEUED,
    revoked=RECORDED_SLACK_ACCESS_REVOKED,
    nowhere_channel=SLACK_NO_RECOGNITION_CHANNEL,
    nowhere_reason=SLACK_NO_RECOGNITION_CHANNEL_REASON,
)
TEAMS_CONFIRMATION = ConfirmationWording(
    unposted=TEAMS_RECORDED_PUBLIC_UNPOSTED,
    queued=TEAMS_RECORDED_PUBLIC_QUEUED,
    revoked=TEAMS_RECORDED_ACCESS_REVOKED,
    nowhere_channel=TEAMS_THIS_CONVERSATION,
    nowhere_reason=TEAMS_NO_TEAM_INSTALLED,
)
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

# Weekly spotlight (digest) and mid-week reflection prompt
DIGEST_HEADER = "Leadership from every seat: this week's spotlight"
DIGEST_INTRO = "Leadership isn't a job title. Here is some of what colleagues saw this week."
DIGEST_SUMMARY = (
    "This week: {nominations}, {people} recognised, {behaviours} seen: {behaviour_names}."
)
DIGEST_SPOTLIGHT_LINE = "{nominees} · {behaviours}"
DIGEST_SPOTLIGHT_SEAT = "{name} ({seat})"
# The same line in words, for cards a screen reader reads aloud (no "·" or "★").
DIGEST_SPOTLIGHT_SPOKEN = "Spotlight on {nominees}, for {behaviours}"
QUOTE_SPOKEN_ATTRIBUTION = "From {attribution}"
DIGEST_ALSO_RECOGNISED = "Also recognised this week"
DIGEST_AND_MORE = "and {colleagues}"
DIGEST_NOMINATED_BY = "Nominated by {nominator}"
DIGEST_SEE_HOME = "Recognised this week? Open Everyseat's Home tab to read what colleagues wrote."
CONSOLE_NOMINATE_HINT = "Nominate a colleague: /nominate @name what they did #behaviour"
DIGEST_REFLECTION = "A thought for the week ahead"
DIGEST_QUIET_HEADER = "A quiet week for recognition"
DIGEST_QUIET_INTRO = (
    "No public nominations this week — but leadership happened in every seat. "
    "Who did you see lead? A nomination takes a minute."
)
PROMPT_HEADER = "Mid-week reflection"
PROMPT_INTRO = "Pause for a moment on leadership from every seat."
NOMINATE_BUTTON = "Nominate a colleague"
QUOTE_FROM_AUTHOR = "{author}, “{source}”"
QUOTE_FROM_COMMENT = "{author}, commenting on “{source}”"
QUOTE_FROM_DOCUMENT = "“{source}”"
DIGEST_FALLBACK = "This week's spotlight on leadership from every seat. {summary}"
DIGEST_QUIET_FALLBACK = "A quiet week for recognition. {question}"
PROMPT_FALLBACK = "Mid-week reflection: {question}"

# Posting digests and prompts
POST_SENT = "Posted the {kind} for {period} in {channel}."
POST_ALREADY_SENT = "The {kind} for {period} was already posted in {channel}; nothing posted."
POST_IN_PROGRESS = (
    "The {kind} for {period} is being posted by another process right now; nothing posted."
)
POST_FAILED = "Couldn't post the {kind} for {period} in {channel}: {reason}. It will be retried."
# The {reason} above, when the platform refused or the place is gone.
POST_UNKNOWN_ERROR = "unknown error"
POST_SLACK_REFUSED = "Slack answered {status} {code}"
POST_TEAMS_REFUSED = "Teams answered {status}"
POST_NOT_INSTALLED = "Everyseat is not installed in {channel}"
POST_NO_CHANNEL = (
    "Set EVERYSEAT_DIGEST_CHANNEL (or EVERYSEAT_RECOGNITION_CHANNEL) to the channel id "
    "that should receive the {kind}."
)
POST_NEEDS_PLATFORM = (
    "Posting needs Slack or Teams: set SLACK_BOT_TOKEN, or TEAMS_CLIENT_ID and "
    "TEAMS_CLIENT_SECRET (see .env.example)."
)
POST_NO_TARGET = (
    "{platform}: Everyseat isn't installed in a team channel yet, so no {kind} was posted there."
)
PREVIEW_HEADING = "Preview of the {kind} for {period}, due {due} ({status}):"
PREVIEW_STATUS_PENDING = "not posted yet; nominations so far"
PREVIEW_STATUS_OVERDUE = "due now: the next run or --post sends it"
PREVIEW_NO_WORKSPACE = "No workspace has used Everyseat yet, so there is nothing to preview."
# Admin: who may see statistics and exports
NOT_AN_ADMIN = (
    "Statistics and exports are for Everyseat admins. If you need them, ask your people team "
    "to add you to EVERYSEAT_ADMINS."
)

# Admin: periods
PERIOD_LAST_DAYS = "the last {days}"
PERIOD_DATES = "{since} to {until}"
BAD_PERIOD = (
    "I can't read {value!r} as a period. Use 30d, 90d (any number of days) or a date range "
    "such as 2026-10-01..2026-10-31."
)
BAD_DATE = "{option} {value!r} is not a date; write it as YYYY-MM-DD, such as 2026-10-01."
PERIOD_BACKWARDS = (
    "The period starts ({since}) after it ends ({until}); put the earlier date first."
)

# Admin: workspaces
NO_WORKSPACES = "No workspace has used Everyseat yet, so there is nothing to report."
UNKNOWN_WORKSPACE = (
    "No workspace {workspace!r} is stored; run without --workspace to see the stored ones."
)
CHOOSE_WORKSPACE = "Several workspaces are stored; choose one with --workspace: {workspaces}."
# The scope of a command-line report over several workspaces (a trust's Slack and Teams).
REPORT_WHOLE_ORGANISATION = "every workspace, each person counted once"

# Admin: statistics
NO_TITLE = "(no job title)"
NO_DEPARTMENT = "(no department)"
NO_STAFF_GROUP = "(no staff group)"
NO_PAY_BAND = "(no pay band)"
STATS_HEADER = "Recognition, {period}"
STATS_TOTALS = (
    "{nominations} from {nominators} recognised {nominees}; {endorsements} “I saw this too”."
)
STATS_COVERAGE = "Coverage: {share} of {members} were recognised at least once."
STATS_COVERAGE_UNKNOWN = "Coverage: no active members are known yet."
STATS_SPREAD = (
    "Spread: the top 10% of recipients ({top}) received {share} of recognitions; "
    "Gini {gini} (0 = evenly spread, 1 = all to one person)."
)
STATS_SPREAD_SMALL = (
    "Spread: Gini {gini} (0 = evenly spread, 1 = all to one person); the top 10% of "
    "recipients' share is hidden, as it counts fewer than {min_cell} recognitions."
)
STATS_SPREAD_NONE = "Spread: nobody was recognised in this period."
STATS_NEVER_RECOGNISED = "Seats never recognised: {seats}."
STATS_EVERY_SEAT = "Every job title among active members was recognised at least once."
STATS_NO_TITLES = (
    "No job titles are known yet, so seats can't be compared: ask people to fill in the "
    "title in their profile."
)
STATS_SEAT = "{title} ({members})"
STATS_BY_BEHAVIOUR = "By behaviour"
STATS_BY_TITLE = "By job title"
STATS_BY_DEPARTMENT = "By department"
# The seniority view: people recognised as a share of each staff group's or pay band's
# active headcount.
STATS_BY_STAFF_GROUP = "By staff group (people recognised of headcount)"
STATS_BY_PAY_BAND = "By pay band (people recognised of headcount)"
STATS_SENIORITY_LINE = "{label}: {people} of {members} recognised ({share}); {nominations}"
STATS_GROUP_LINE = "{label}: {nominations}, {people}"
STATS_GROUP_LINE_MEMBERS = "{label}: {nominations}, {people} of {members}"
STATS_GROUP_HIDDEN = "{label}: figures hidden (fewer than {min_cell} people or recognitions)"
STATS_MORE_GROUPS = "…and {count} more in the export."
STATS_WEEKLY = "Per week (nominations / people recognised): {weeks}"
STATS_CHART_TITLE = "Nominations per week, {period}"
STATS_CHART_SENT = "The weekly trend chart is in your direct messages with Everyseat."
STATS_CHART_FAILED = "I couldn't send the weekly trend chart ({reason})."

# Admin: charts (the figure text; counts are already pluralised with count_of)
SUPPRESSED = "<{min_cell}"
CHART_SOURCE = "Source: Everyseat recognition records, {period}. Drawn {drawn}."
CHART_TREND_TITLE = "Nominations per week, {period}"
CHART_TREND_NOMINATIONS = "Nominations (each counted once)"
CHART_TREND_PEOPLE = "People recognised"
CHART_TREND_Y_LABEL = "Nominations / people"
CHART_TREND_X_LABEL = "Week beginning (Monday, UTC)"
CHART_PART_WEEK_MARK = " (part)"
CHART_PART_WEEK_LEGEND = "Part week: not all 7 days are in the period"
CHART_TREND_ALT = "Bar chart of nominations per week over {period}: {weeks}, {nominations} in all."
CHART_TREND_ALT_RANGE = (
    "Among whole weeks, the most was {most} in the week of {busiest} and the fewest "
    "{fewest} in the week of {quietest}."
)
CHART_TREND_ALT_PARTIAL = "{weeks} at the ends of the period are part weeks, drawn hatched."
CHART_TREND_ALT_EMPTY = "Bar chart of nominations per week over {period}: no weeks to show."
CHART_COVERAGE_TITLE = "Coverage by {groups}, {period}"
CHART_COVERAGE_X_LABEL = "Share of active members recognised at least once"
CHART_COVERAGE_BAR = "{people} of {members}"
CHART_GROUP_HIDDEN = "{hidden} people or recognitions: figures hidden"
CHART_MORE_GROUPS = "{groups} not drawn (all are in the tables)."
CHART_COVERAGE_ALT = (
    "Bar chart of coverage for {groups} by {heading}: lowest {lowest} at {lowest_share}, "
    "highest {highest} at {highest_share}."
)
CHART_COVERAGE_ALT_NONE = "Bar chart of coverage by {heading}: no figures can be shown."
CHART_LORENZ_TITLE = "How evenly recognition is spread, {period}"
CHART_LORENZ_EQUAL = "Everyone recognised equally"
CHART_LORENZ_CURVE = "Recognition received"
CHART_LORENZ_X_LABEL = "Share of active members, least recognised first"
CHART_LORENZ_Y_LABEL = "Share of recognition received"
CHART_LORENZ_CAPTION = (
    "Gini {gini} across {people} ({never} not recognised at all); "
    "0 = everyone recognised equally, 1 = all recognition to one person."
)
CHART_LORENZ_NONE = "Nobody was recognised in this period, so there is no spread to show."
CHART_LORENZ_ALT = "Lorenz curve of recognition received. {caption}"

# Admin: the report (XLSX overview sheet and the HTML board report)
REPORT_TITLE = "Leadership from every seat: who is being recognised"
SUPPRESSION_NOTE = (
    "{hidden} means fewer than {min_cell} people or recognitions: the figure is hidden so "
    "nobody can be identified, and where one figure in a table is hidden another is too, so "
    "it can't be worked out from the total."
)
REPORT_NOMINATIONS = "Nominations"
REPORT_NOMINATORS = "People who nominated"
REPORT_RECOGNISED = "People recognised"
REPORT_ACTIVE = "Active members"
REPORT_COVERAGE = "Coverage (active members recognised at least once)"
REPORT_TOP_SHARE = "Share of recognition to the top 10% of recipients"
REPORT_GINI = "Gini among people recognised (0 = even, 1 = all to one)"
REPORT_ENDORSEMENTS = "“I saw this too”"
REPORT_UNSEEN_SEATS = "Seats never recognised"
REPORT_BY_SEAT = "Seat (job title)"
REPORT_BY_DEPARTMENT = "Department"
REPORT_BY_STAFF_GROUP = "Staff group"
REPORT_BY_PAY_BAND = "Pay band"
REPORT_BY_BEHAVIOUR = "Behaviour"
REPORT_COL_MEMBERS = "Active members"
REPORT_COL_RECOGNISED = "People recognised"
REPORT_COL_COVERAGE = "Coverage"
REPORT_COL_NOMINATIONS = "Nominations"
REPORT_COL_WEEK = "Week beginning (Monday)"
REPORT_COL_DAYS = "Days in period"
REPORT_COL_SEAT = "Seat"
REPORT_WEEKS = "Per week"
REPORT_PERIOD = "Period"
REPORT_HEADLINES = "Headline figures"
REPORT_NO_UNSEEN_SEATS = "Every seat held by an active member was recognised at least once."
REPORT_ROW_LEVEL_LEFT_OUT = (
    "The nominations and people sheets are left out: they list individuals, which small-cell "
    "suppression (--min-cell) cannot make safe to share."
)
ROW_LEVEL_WITH_MIN_CELL = (
    "The {report} report lists individuals, so --min-cell can't make it safe to share. "
    "Use --report summary (or XLSX) for suppressed figures, or drop --min-cell for the "
    "full internal export."
)

# Admin: the board report
BOARD_GENERATED = "generated"
BOARD_CHARTS = "Charts"
BOARD_BY = "By"
BOARD_METHOD = "Method"
BOARD_METHOD_COUNTING = (
    "A nomination is one colleague recognising one or more others for one or more "
    "leadership behaviours; each is counted once, however many people or behaviours it "
    "names. Weeks start on Monday (UTC); weeks only partly inside the period are drawn "
    "hatched and marked “(part)”."
)
BOARD_METHOD_COVERAGE = (
    "Coverage is the share of active members (people, not bots, whose accounts are active) "
    "in a group who were recognised at least once in the period. A seat is a job title as "
    "people's profiles give it."
)
BOARD_METHOD_SPREAD = (
    "The Lorenz curve orders every active member from least to most recognised; the further "
    "it bows below the diagonal, the more recognition goes to a few. Its Gini coefficient "
    "counts people never recognised; the headline Gini is among those recognised."
)
BOARD_METHOD_SUPPRESSION = (
    "Small-cell suppression: any group of fewer than {min_cell} people and any count from 1 "
    "to {min_cell} − 1 is shown as “<{min_cell}”; where one group of a table is hidden, the "
    "next smallest is hidden too, so no hidden figure can be worked out from the totals."
)
BOARD_METHOD_NO_SUPPRESSION = (
    "No small-cell suppression was applied: every figure is shown. Don't share this page "
    "beyond those entitled to see individual-level data."
)
BOARD_LORENZ_HIDDEN = (
    "The spread of recognition isn't drawn: fewer than {min_cell} people were recognised, "
    "so the curve would show individuals."
)
BOARD_WRITTEN = "Wrote the board report ({period}) to {path}."
BOARD_SENT = "Your board report ({period}) is in your direct messages with Everyseat: {name}."
BOARD_FAILED = (
    "I couldn't upload the board report ({reason}); nothing was shared. Please try again."
)
BOARD_FILE_COMMENT = (
    "Everyseat board report, {period}: one HTML page to open in a browser, print or attach "
    "to a board paper."
)
REPORT_CANNOT_WRITE = "Can't write {path}: {reason}. Choose a folder you can write to."

# Admin: exports
PRIVATE_STORY_WITHHELD = "(private story withheld)"
EXPORT_NEEDS_OUT = (
    "An XLSX workbook can't go to the terminal; give --out PATH, such as --out report.xlsx."
)
EXPORT_WRITTEN = "Wrote {rows} ({report}) to {path}."
EXPORT_BAD_MIN_CELL = "--min-cell must be a whole number of 1 or more, such as 5."
EXPORT_SENT = (
    "Your {format} export ({report}, {period}) is in your direct messages with Everyseat: {name}."
)
EXPORT_FAILED = "I couldn't upload the export ({reason}); nothing was shared. Please try again."
EXPORT_BAD_FORMAT = (
    "Unknown export format {value!r}. Use csv or xlsx, then an optional period such as 90d."
)
EXPORT_FILE_COMMENT = "Everyseat export: {report}, {period}."
STATS_FILE_COMMENT = "Everyseat weekly trend, {period}. {description}"

# Start-up and output files
DATABASE_UNUSABLE = "Database error: can't use DATABASE_URL ({url}): {reason}. {hint}"
DATABASE_HINT_SERVER = (
    "Check that the server is running and the database exists (createdb {database}), "
    "or fix DATABASE_URL."
)
DATABASE_HINT_FILE = "Check that the folder exists and is writable, or fix DATABASE_URL."
DATABASE_DRIVER_MISSING = (
    "Configuration error: DATABASE_URL ({url}) needs a database driver that isn't installed: "
    "use sqlite:///everyseat.db or postgresql+psycopg://user@host/dbname."
)
OUT_NOT_WRITABLE = "Can't write to {path}: {reason}. Choose a --out path in a writable folder."

# Admin: data protection
MEMBER_NOT_FOUND = "Nothing is stored about {user_id}: no member has that user id."
PERSON_NOT_FOUND = (
    "Nothing is stored about {user_id}: no account, person or HR or directory record has "
    "that email."
)
FORGET_CONFIRM = (
    "This erases {user_id} ({name}) for good: their profile, {received} they received as "
    "the only nominee (removed from {shared}), {endorsements}, their messages still "
    "waiting to be sent and their spotlight history; {given} they gave stay for the "
    "nominees, without their name or story.\n"
    "Type yes to erase: "
)
FORGET_ACCOUNTS = "It covers every account linked to them:"
FORGET_ACCOUNT = "  • {name} ({user_id}), {platform} workspace {workspace}"
FORGET_NO_ACCOUNTS = "They have no chat account stored."
FORGET_RECORDS = "It also deletes {records}."
FORGET_ABORTED = "Nothing was erased."
FORGET_DONE = (
    "Erased {user_id}: {received} deleted, removed from {shared}, "
    "{given} given anonymised, {endorsements} deleted."
)
# What erasure leaves in place of an erased person's words, and of a mention of them.
ERASED_STORY = "(The story was removed when its author's data was erased.)"
ERASED_MENTION = "a colleague"

# Slack: /recognition
RECOGNITION_HELP = """*/recognition* — recognition in this workspace
• `/nominate` — recognise a colleague (add `@name story #behaviour` to do it in one line)
• `/recognition help` — this list"""
RECOGNITION_HELP_ADMIN = """*For admins*
• `/recognition stats [30d|90d|YYYY-MM-DD..YYYY-MM-DD]` — coverage, spread and the seats \
recognition isn't reaching; the weekly chart arrives in your DM
• `/recognition export [csv|xlsx] [period]` — the nominations (xlsx adds people and summary \
sheets) as a file in your DM
• `/recognition report [period]` — the board report (90 days unless you give a period): one \
HTML page with figures, charts and tables, small groups hidden, as a file in your DM"""
RECOGNITION_UNKNOWN = "I don't know “{text}”. Try /recognition help."
HOME_ADMIN_HEADER = "Admin: recognition in the last 30 days"
HOME_EXPORT_CSV = "Export CSV"
HOME_EXPORT_XLSX = "Export XLSX"

# Moderation: authors edit and withdraw; everyone flags; admins hide and restore
HIDDEN_NOTICE = "This recognition was hidden by an admin."
NOT_YOUR_NOMINATION = (
    "Only the person who made this nomination can edit or withdraw it. To have it changed or "
    "taken down, flag it or ask an Everyseat admin ({admins})."
)
EDIT_WINDOW_CLOSED = (
    "Nominations can be edited or withdrawn for {hours} hours after they are made, and this "
    "one was made on {made}. To have it changed or taken down, ask an Everyseat admin "
    "({admins})."
)
ADMINS_UNKNOWN = "your people team can tell you who they are"
EDITED = "Updated: your recognition now reads as you edited it, wherever it was posted."
WITHDRAWN = "Withdrawn: your recognition of {nominees} has been taken down everywhere it was sent."
WITHDRAW_CONFIRM = (
    "Withdraw your recognition of {nominees}? The post and the messages to {nominees} are "
    "removed, and it no longer counts in digests or statistics. This can't be undone."
)
FLAG_REASON_MISSING = "Say in a few words why admins should look at this recognition."
FLAG_REASON_TOO_LONG = "Keep the reason to {maximum} characters (you wrote {length})."
ALREADY_FLAGGED = "You've already flagged this recognition; an admin will look at it."
FLAGGED = "Thank you — Everyseat's admins have been asked to look at this recognition."
FLAG_NOT_FOUND = "That flag has already been decided, or no longer exists."
FLAG_FOR_ADMINS = "{who} flagged a recognition: “{reason}”"
FLAG_BY_UNKNOWN = "Someone"
FLAG_UPHELD_BY = "Hidden by {admin}. The flag was upheld."
FLAG_DISMISSED_BY = "Dismissed by {admin}: the recognition stays up."
HIDE_REASON_MISSING = "Give a reason for hiding it: it is kept in the audit trail."
HIDDEN_DONE = "Hidden: recognition #{nomination_id} now shows “{notice}” everywhere it was sent."
RESTORED_DONE = "Restored: recognition #{nomination_id} is visible again everywhere it was sent."
NOT_HIDDEN = "Recognition #{nomination_id} isn't hidden, so there is nothing to restore."
NOT_A_MODERATOR = (
    "Hiding and restoring recognition is for Everyseat admins. If you think this one should "
    "come down, flag it instead."
)
MODERATION_EDIT_TITLE = "Edit recognition"
MODERATION_EDIT_SUBMIT = "Save"
MODERATION_WITHDRAW_TITLE = "Withdraw recognition"
MODERATION_WITHDRAW_SUBMIT = "Withdraw"
MODERATION_FLAG_TITLE = "Flag for admins"
MODERATION_FLAG_SUBMIT = "Flag"
MODERATION_FLAG_LABEL = "Why should an admin look at this?"
MODERATION_HIDE_TITLE = "Hide recognition"
MODERATION_HIDE_SUBMIT = "Hide"
MODERATION_RESTORE_TITLE = "Restore recognition"
MODERATION_RESTORE_SUBMIT = "Restore"
MODERATION_REASON_LABEL = "Reason (kept in the audit trail)"
MODERATION_MENU_EDIT = "Edit (author)"
MODERATION_MENU_WITHDRAW = "Withdraw (author)"
MODERATION_MENU_FLAG = "Flag for admins"
MODERATION_MENU_HIDE = "Hide (admins)"
MODERATION_HIDE_BUTTON = "Hide"
MODERATION_DISMISS_BUTTON = "Dismiss"
MODERATION_RESTORE_BUTTON = "Restore"
HOME_MODERATION_HEADER = "Admin: moderation"
HOME_NO_OPEN_FLAGS = "No flags are waiting for a decision."
HOME_OPEN_FLAG = "Flag on #{nomination_id} by {who}: “{reason}”"
HOME_HIDDEN_ITEM = "#{nomination_id} hidden by {admin}: “{reason}”"
HOME_NONE_HIDDEN = "No recognition is hidden."

# Admin: the audit trail
AUDIT_LINE = "{at} · {action} by {actor} ({platform}){subject}{detail}"
AUDIT_HEADER = "Audit trail: the last {count} entries"
AUDIT_EMPTY = "Nothing has been recorded in the audit trail yet."
AUDIT_EXPORTED = "Wrote {entries} since {since} to {path}."  # {entries}: "3 audit entries"

# Retention
RETENTION_ANONYMISED_STORY = "(story removed under the retention policy)"
RETENTION_OFF = (
    "Retention is off: set EVERYSEAT_RETENTION_MONTHS (and EVERYSEAT_RETENTION_MODE=delete or "
    "anonymise) to remove old nominations; see docs/admin.md."
)
# {nominations}, {nominees}, {endorsements} and {deliveries} arrive counted ("1 nomination").
RETENTION_DONE = (
    "{workspace}: {nominations} from before {cutoff} {action} "
    "({nominees}, {endorsements}, {deliveries} removed)."
)
RETENTION_DRY_RUN = (
    "{workspace} (dry run, nothing changed): {nominations} from before {cutoff} "
    "would be {action} ({nominees}, {endorsements}, {deliveries} removed)."
)
RETENTION_NO_WORKSPACES = "No workspace is stored, so there is nothing to remove."

# Console
CONSOLE_WELCOME = (
    "Everyseat console — the same nominations as in Slack, stored in {database}.\n"
    "You are @{user}. Type /help for commands, /quit to leave."
)
CONSOLE_HELP = """Commands:
  /nominate @name [@name…] story [#behaviour]   recognise colleagues
  /recent [N]                                   list the latest nominations
  /edit N story [#behaviour…]                   edit your nomination #N (within the window)
  /withdraw N                                   withdraw your nomination #N
  /flag N reason                                ask admins to look at nomination #N
  /flags                                        open flags and hidden nominations
  /hide N reason  /restore N reason             hide or restore nomination #N
  /dismiss F                                    dismiss flag F (the nomination stays up)
  /behaviours                                   list the leadership behaviours
  /digest                                       preview this week's spotlight
  /stats [30d|90d|YYYY-MM-DD..YYYY-MM-DD]       coverage, spread, unseen seats (default 30d);
                                                no admin check: you are the local operator
  /audit                                        the audit trail's last 20 entries
  /as name                                      act as another person
  /help                                         this list
  /quit                                         leave"""
CONSOLE_UNKNOWN_COMMAND = "Unknown command {command!r}. Type /help for the list."
CONSOLE_NO_NOMINATIONS = (
    "No nominations yet. Try /nominate @nia Led the huddle when we were short #speaking-up"
)
CONSOLE_NOW_ACTING_AS = "You are now @{user}."
CONSOLE_YOU_TYPED = "You typed: {text}"
CONSOLE_BAD_NAME = (
    "Names are letters, digits, dots, hyphens or underscores, such as @nia or @sam.lee."
)
CONSOLE_BAD_NOMINATION = "Give the nomination's number as /recent shows it, such as {usage}."
CONSOLE_EDITABLE = "Yours to edit or withdraw until {until}: {numbers}."
CONSOLE_FLAG_LINE = "Flag {flag_id} on #{nomination_id} by {who}: “{reason}”"
CONSOLE_HIDDEN_LINE = "#{nomination_id} hidden by {admin}: “{reason}”"
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


def count_of(count: int | str, singular: str, plural: str) -> str:
    """'1 nomination', '3 nominations', and '<5 nominations' for a hidden small count."""
    return f"{count} {singular if count == 1 else plural}"


def and_more_colleagues(count: int) -> str:
    """'and 1 more colleague', 'and 4 more colleagues'."""
    return DIGEST_AND_MORE.format(colleagues=count_of(count, "more colleague", "more colleagues"))


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


# --- Directory: HR import and directory sync -------------------------------------------
DIRECTORY_SYNCED = (
    "{platform} directory synced: {accounts}, {added} new; "
    "{leavers} no longer listed (marked as leavers)."
)
DIRECTORY_SYNC_FAILED = (
    "The {platform} directory sync failed ({reason}); the last good directory data is kept. "
    "Try again later, or check the credentials and permissions in docs/teams.md."
)
DIRECTORY_NOTHING_TO_SYNC = (
    "Nothing to sync: set SLACK_BOT_TOKEN for Slack, or TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET "
    "and TEAMS_TENANT_ID for Microsoft Graph."
)
DIRECTORY_TEAMS_NEEDS_TENANT = (
    "A Microsoft Graph sync needs TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET and TEAMS_TENANT_ID "
    "(the tenant whose users to read); see docs/teams.md."
)
MEMBER_NOT_LINKED = "No account is stored under {who}. Use an email address or a user id."
