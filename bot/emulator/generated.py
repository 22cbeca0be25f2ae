"""Large synthetic workspaces for pagination, rate-limit and load tests.

Built in one pass with a seeded random generator: the same arguments give the same people and
channels every time, and 20,000 users with 5,000 channels take well under a second.
"""

from __future__ import annotations

import random

from bot.emulator.model import Channel, User
from bot.emulator.workspace import Workspace

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
