"""The workspace from the original article: "Data Analysis", Will Koehrsen and a few colleagues.

IDs are fixed so tests and docs can name them; timestamps are relative to now so the history
looks recent whenever the emulator starts.
"""

from __future__ import annotations

import time

from sloth_emulator.model import Channel, DndState, FileRecord, Team, User
from sloth_emulator.workspace import Workspace

TEAM_ID = "T024DATAAN"
BOT_USER_ID = "U07SLOTHBT"
BOT_ID = "B07SLOTHBT"
APP_ID = "A07SLOTHAP"
WJK68 = "U01WJK68KS"
AMELIA = "U01AMHART1"
JONAS = "U01JBECKER"
PRIYA = "U01PNAIR01"
KENJI = "U01KSATO01"

GENERAL = "C01GENERAL"
PYTHON_CONTENT = "C01PYTHONC"
RANDOM = "C01RANDOM1"
TESTING_EXP = "C01TESTEXP"

NOTEBOOK_FILE = "F01NOTEBK1"
NOTEBOOK = b'''import pandas as pd

messages = pd.read_json("slack_history.json")
print(messages.groupby("user")["text"].count().sort_values(ascending=False).head())
'''


def next_local_hour(now: int, tz_offset: int, hour: int) -> int:
    """The next unix time at which the local clock (UTC + tz_offset) shows hour:00."""
    local = now + tz_offset
    start_of_day = local - local % 86400
    target = start_of_day + hour * 3600
    if target <= local:
        target += 86400
    return target - tz_offset


def _people(now: int) -> list[User]:
    return [
        User(WJK68, "wjk68", "Will Koehrsen", email="will@data-analysis.example.com", display_name="Will",
             title="Data Scientist", status_text="Writing about Slack bots", status_emoji=":memo:",
             is_admin=True, is_owner=True, is_primary_owner=True, color="9f69e7"),
        User(AMELIA, "amelia", "Amelia Hart", email="amelia@data-analysis.example.com",
             display_name="Amelia", title="Machine Learning Engineer", tz="Europe/London",
             tz_label="Greenwich Mean Time", tz_offset=0, status_text="In a meeting",
             status_emoji=":calendar:", status_expiration=now + 3600, color="4bbe2e"),
        User(JONAS, "jonas", "Jonas Becker", email="jonas@data-analysis.example.com", display_name="Jonas",
             title="Data Engineer", tz="Europe/Berlin", tz_label="Central European Time", tz_offset=3600,
             status_text="Lunch", status_emoji=":sandwich:", color="e7392d"),
        User(PRIYA, "priya", "Priya Nair", email="priya@data-analysis.example.com", display_name="Priya",
             title="Product Analyst", tz="America/Los_Angeles", tz_label="Pacific Standard Time",
             tz_offset=-28800, is_admin=True, color="3c989f"),
        User(KENJI, "kenji", "Kenji Sato", email="kenji@data-analysis.example.com", display_name="Kenji",
             title="Research Scientist", tz="Asia/Tokyo", tz_label="Japan Standard Time", tz_offset=32400,
             status_text="Commuting", status_emoji=":train:", presence="away", color="d58247"),
        User(BOT_USER_ID, "sloth", "Sloth", display_name="Sloth", is_bot=True, bot_id=BOT_ID, app_id=APP_ID,
             tz="America/Los_Angeles", tz_label="Pacific Standard Time", tz_offset=-28800, color="757575"),
        # Slackbot is in every workspace and users.list reports it with is_bot false.
        User("USLACKBOT", "slackbot", "Slackbot", display_name="Slackbot", tz="America/Los_Angeles",
             tz_label="Pacific Standard Time", tz_offset=-28800, color="757575"),
    ]


def _channels(created: int) -> list[Channel]:
    specs = [
        (GENERAL, "general", "This channel is for workspace-wide communication and announcements."),
        (PYTHON_CONTENT, "python_content", "Data Science and Python"),
        (RANDOM, "random", "Deep philosophical discussions"),
        (TESTING_EXP, "testing_exp", "Experimental testing of interactions."),
    ]
    return [Channel(cid, name, created, WJK68, purpose=purpose, purpose_set_by=WJK68, purpose_set_at=created,
                    is_general=name == "general") for cid, name, purpose in specs]


def build_default() -> Workspace:
    now = int(time.time())
    team = Team(TEAM_ID, "Data Analysis", "data-analysis", email_domain="data-analysis.example.com",
                icon={f"image_{size}": f"https://a.slack-edge.com/emulator/data-analysis_{size}.png"
                      for size in (34, 44, 68, 88, 102, 132, 230)} | {"image_default": False})
    ws = Workspace(team, bot_user_id=BOT_USER_ID, bot_id=BOT_ID, app_id=APP_ID)
    for user in _people(now):
        user.updated = now - 30 * 86400
        ws.add_user(user)
        if user.is_human:
            ws.dnd[user.id] = DndState(True, next_local_hour(now, user.tz_offset, 22),
                                       next_local_hour(now, user.tz_offset, 8))
    members = [u.id for u in ws.users.values() if not u.deleted and u.id != "USLACKBOT"]
    for channel in _channels(now - 90 * 86400):
        channel.members.update(dict.fromkeys(members))
        ws.add_channel(channel)
    _seed_history(ws, now - 3 * 86400)
    return ws


def _seed_history(ws: Workspace, start: int) -> None:
    def say(channel: str, user: str, text: str, minutes: int, thread_ts: str | None = None) -> str:
        message = {"user": user, "text": text, "team": ws.team.id}
        ts = ws.ts.at(start + minutes * 60)
        return ws.post(ws.channels[channel], message, thread_ts=thread_ts, ts=ts)["ts"]

    say(GENERAL, WJK68, "Welcome to Data Analysis! Share what you are working on here.", 0)
    say(GENERAL, AMELIA, "Morning from London :wave:", 5)
    parent = say(PYTHON_CONTENT, WJK68, "Has anyone tried the new pandas release? Copy-on-write is the "
                 "default now.", 60)
    say(PYTHON_CONTENT, JONAS, "Yes, a few of our pipelines had defensive `.copy()` calls we could drop.", 75,
        thread_ts=parent)
    say(PYTHON_CONTENT, AMELIA, "Same here, and memory use went down noticeably.", 90, thread_ts=parent)
    say(RANDOM, KENJI, "Deep question: is a hot dog a sandwich?", 120)
    say(RANDOM, PRIYA, "Only on Tuesdays.", 121)
    say(TESTING_EXP, WJK68, "This is where we try out new bot interactions.", 180)

    created = start + 240 * 60
    ws.add_file(FileRecord(NOTEBOOK_FILE, "slack_analysis.py", WJK68, created, title="Slack history analysis",
                           length=len(NOTEBOOK), content=NOTEBOOK, complete=True))
    message = {"user": WJK68, "text": "Here's the script from today's session", "team": ws.team.id,
               "upload": True, "files": [{"id": NOTEBOOK_FILE}]}
    shared = ws.post(ws.channels[PYTHON_CONTENT], message, ts=ws.ts.at(created))
    ws.files[NOTEBOOK_FILE].shares[PYTHON_CONTENT] = [shared["ts"]]


# A second workspace the same app can be installed in (sloth_emulator.multi): other people, other
# channels, its own bot user; the app ID is the app's, the same in every workspace.
FIELD_TEAM_ID = "T03FIELDNT"
FIELD_BOT_USER_ID = "U03SLOTHFN"
FIELD_BOT_ID = "B03SLOTHFN"
MARIA = "U03MARIAGS"
TOMAS = "U03TOMASRV"
FIELD_GENERAL = "C03GENERAL"
BIRDS = "C03BIRDSOB"


def build_field_notes() -> Workspace:
    """"Field Notes": two naturalists, #general and #birds, with a little history."""
    now = int(time.time())
    team = Team(FIELD_TEAM_ID, "Field Notes", "field-notes", email_domain="field-notes.example.org")
    ws = Workspace(team, bot_user_id=FIELD_BOT_USER_ID, bot_id=FIELD_BOT_ID, app_id=APP_ID)
    people = [
        User(MARIA, "maria", "Maria Gomes", email="maria@field-notes.example.org", display_name="Maria",
             is_admin=True, is_owner=True, is_primary_owner=True, tz="Europe/Lisbon", tz_label="Western European Time",
             tz_offset=0),
        User(TOMAS, "tomas", "Tomas Varga", email="tomas@field-notes.example.org", display_name="Tomas",
             tz="Europe/Budapest", tz_label="Central European Time", tz_offset=3600),
        User(FIELD_BOT_USER_ID, "sloth", "Sloth", display_name="Sloth", is_bot=True, bot_id=FIELD_BOT_ID,
             app_id=APP_ID),
        User("USLACKBOT", "slackbot", "Slackbot", display_name="Slackbot"),
    ]
    for person in people:
        person.updated = now - 30 * 86400
        ws.add_user(person)
    members = [MARIA, TOMAS, FIELD_BOT_USER_ID]
    for cid, name in ((FIELD_GENERAL, "general"), (BIRDS, "birds")):
        channel = Channel(cid, name, now - 90 * 86400, MARIA, is_general=name == "general")
        channel.members.update(dict.fromkeys(members))
        ws.add_channel(channel)
    for minutes, (where, who, text) in enumerate([
        (FIELD_GENERAL, MARIA, "Welcome to Field Notes."),
        (BIRDS, TOMAS, "A hoopoe in the orchard this morning."),
        (BIRDS, MARIA, "Lucky! Photos please."),
    ]):
        ws.post(ws.channels[where], {"user": who, "text": text, "team": FIELD_TEAM_ID},
                ts=ws.ts.at(now - 86400 + minutes * 60))
    return ws
