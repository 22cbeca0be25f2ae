"""Large synthetic workspaces for pagination, rate-limit and load tests.

Built in one pass with a seeded random generator: the same arguments give the same people and
channels every time, and 20,000 users with 5,000 channels take well under a second.
"""

from __future__ import annotations

import random

from sloth_emulator.ids import format_ts, parse_ts
from sloth_emulator.model import Channel, Message, User
from sloth_emulator.workspace import Workspace

FIRST = ["Ada", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jade", "Kofi", "Lena",
         "Mateo", "Nia", "Omar", "Pia", "Quinn", "Ravi", "Sofia", "Tariq", "Uma", "Viktor", "Wen", "Yara"]
LAST = ["Abe", "Bauer", "Costa", "Diaz", "Evans", "Fischer", "Garcia", "Horvat", "Ito", "Jensen", "Kim",
        "Larsen", "Moreau", "Novak", "Okafor", "Park", "Rossi", "Silva", "Tanaka", "Umar", "Weber", "Zhou"]
ZONES = [("America/New_York", "Eastern Standard Time", -18000),
         ("America/Chicago", "Central Standard Time", -21600),
         ("America/Los_Angeles", "Pacific Standard Time", -28800),
         ("Europe/London", "Greenwich Mean Time", 0),
         ("Europe/Berlin", "Central European Time", 3600),
         ("Asia/Kolkata", "India Standard Time", 19800),
         ("Asia/Tokyo", "Japan Standard Time", 32400),
         ("Australia/Sydney", "Australian Eastern Daylight Time", 39600)]
STATUSES = [("", ""), ("", ""), ("", ""), ("In a meeting", ":calendar:"), ("Out sick", ":face_with_thermometer:"),
            ("Vacationing", ":palm_tree:"), ("Focusing", ":headphones:"), ("Commuting", ":bus:")]
TITLES = ["Analyst", "Data Scientist", "Engineer", "Designer", "Product Manager", "Researcher", ""]
TOPICS = ["data", "ml", "infra", "design", "sales", "support", "ops", "research", "python", "finance",
          "growth", "security", "mobile", "web", "hiring", "events"]


def add_generated(ws: Workspace, *, users: int, channels: int, seed: int) -> None:
    rng = random.Random(seed)
    updated = ws.now() - 7 * 86400
    new_ids: list[str] = []
    for i in range(users):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        tz, tz_label, tz_offset = rng.choice(ZONES)
        status_text, status_emoji = rng.choice(STATUSES)
        uid = f"UG{seed % 100:02d}{i:07d}"
        name = f"{first.lower()}.{last.lower()}{i}"
        ws.add_user(User(uid, name, f"{first} {last}", email=f"{name}@data-analysis.example.com",
                         display_name=first, title=rng.choice(TITLES), tz=tz, tz_label=tz_label,
                         tz_offset=tz_offset, status_text=status_text, status_emoji=status_emoji,
                         presence="active" if rng.random() < 0.6 else "away", deleted=rng.random() < 0.01,
                         updated=updated))
        new_ids.append(uid)
    general = ws.general()
    general.members.update(dict.fromkeys(uid for uid in new_ids if not ws.users[uid].deleted))
    created = ws.now() - 60 * 86400
    creator = ws.first_human().id
    for i in range(channels):
        is_private = rng.random() < 0.1
        prefix = "G" if is_private else "C"
        topic = rng.choice(TOPICS)
        channel = Channel(f"{prefix}G{seed % 100:02d}{i:07d}", f"{topic}-{rng.choice(TOPICS)}-{i}", created,
                          creator, purpose=f"All about {topic}", is_private=is_private,
                          is_archived=rng.random() < 0.05)
        if new_ids:
            channel.members.update(dict.fromkeys(rng.sample(new_ids, min(len(new_ids), rng.randint(2, 40)))))
        if i % 4 == 0:
            channel.members[ws.bot_user_id] = None
        ws.add_channel(channel)


# -- channel history ---------------------------------------------------------------------------

PHRASES = ["Has anyone looked at the {topic} numbers from yesterday?", "Pushed a fix for the {topic} pipeline.",
           "Quick sync about {topic} at 3?", "The {topic} dashboard is green again :tada:",
           "I think the {topic} job needs more memory.", "Notes from the {topic} review are in the doc.",
           "Can someone review my {topic} PR?", "Lunch? Then back to {topic}.",
           "Numbers look odd for {topic} &amp; friends: &gt; 5% drop.",
           "Thanks <@{other}>, that fixed the {topic} run!"]
REACTIONS = ["thumbsup", "tada", "eyes", "heart", "white_check_mark", "joy"]
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.9, 0.25, 0.2)  # Monday .. Sunday


def add_history(ws: Workspace, channel_id: str, *, messages: int = 10_000, days: int = 30, seed: int = 1,
                thread_share: float = 0.03, reaction_share: float = 0.1) -> None:
    """Give a channel `messages` messages (thread replies included) over the last `days` days.

    Authors are the channel's human members with a long tail (a few post a lot); weekdays and
    working hours are busier; a share of messages start threads and some carry reactions.
    Seeded, so the same arguments give the same history. Existing messages are kept and the
    channel stays ordered oldest first.
    """
    rng = random.Random(seed)
    channel = ws.channels[channel_id]
    people = [u for u in (ws.users.get(m) for m in channel.members) if u is not None and u.is_human]
    if not people:
        raise ValueError(f"{channel_id} has no human members to write its history")
    weights = [1 / (rank + 1) for rank in range(len(people))]  # Zipf: a few people write most
    now = ws.now()
    start = now - days * 86400
    day_weights = [WEEKDAY_WEIGHT[((start + d * 86400) // 86400 + 3) % 7] for d in range(days)]  # epoch: Thursday
    threads = int(messages * thread_share)
    replies_per_thread = [rng.randint(1, 6) for _ in range(threads)]
    top_level = max(1, messages - sum(replies_per_thread))
    times = sorted(min(_moment(rng, start, day_weights), (now - 60) * 1_000_000) for _ in range(top_level))
    stamps: set[int] = set()
    new: list[Message] = []
    for when in times:
        author = rng.choices(people, weights)[0]
        new.append(_message(rng, ws, author, people, _unique(when, stamps), reaction_share))
    for parent, count in zip(rng.sample(new, min(threads, len(new))), replies_per_thread, strict=False):
        parent_ts = parse_ts(parent["ts"])
        replies = []
        for _ in range(count):
            when = min(now * 1_000_000 - 1, parent_ts + rng.randint(60, 6 * 3600) * 1_000_000)
            reply = _message(rng, ws, rng.choices(people, weights)[0], people, _unique(when, stamps), reaction_share)
            reply.update(thread_ts=parent["ts"], parent_user_id=parent["user"])
            replies.append(reply)
        replies.sort(key=lambda m: m["ts"])
        users = list(dict.fromkeys(r["user"] for r in replies))
        parent.update(thread_ts=parent["ts"], reply_count=len(replies), reply_users=users,
                      reply_users_count=len(users), latest_reply=replies[-1]["ts"])
        new.extend(replies)
    merged = sorted([*channel.messages.values(), *new], key=lambda m: parse_ts(m["ts"]))
    channel.messages = {m["ts"]: m for m in merged}
    ws.ts.at(max(parse_ts(m["ts"]) for m in merged) / 1_000_000)  # later posts stay newer


def _moment(rng: random.Random, start: int, day_weights: list[float]) -> int:
    """Microseconds of a moment: a weighted day, mostly between 08:00 and 19:00 UTC."""
    day = rng.choices(range(len(day_weights)), day_weights)[0]
    hour = rng.gauss(13.5, 3.0) % 24
    return int((start - start % 86400 + day * 86400 + hour * 3600) * 1_000_000) + rng.randrange(1_000_000)


def _unique(micros: int, taken: set[int]) -> str:
    while micros in taken:
        micros += 1
    taken.add(micros)
    return format_ts(micros)


def _message(rng: random.Random, ws: Workspace, author: User, people: list[User], ts: str,
             reaction_share: float) -> Message:
    text = rng.choice(PHRASES).format(topic=rng.choice(TOPICS), other=rng.choice(people).id)
    message: Message = {
        "client_msg_id": f"{rng.getrandbits(128):032x}", "type": "message", "text": text, "user": author.id,
        "team": ws.team.id, "ts": ts,
        "blocks": [{"type": "rich_text", "block_id": f"{rng.getrandbits(20):05x}",
                    "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}],
    }
    if rng.random() < reaction_share:
        chosen = rng.sample(REACTIONS, rng.randint(1, 2))
        message["reactions"] = [{"name": name, "users": [u.id for u in rng.sample(people, k)], "count": k}
                                for name in chosen for k in [rng.randint(1, min(3, len(people)))]]
    return message
