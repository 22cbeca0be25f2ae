"""Fuzzed input through every way a feature can send: blocks of every kind, views, streams, raw Web
API calls, a webhook's route, a background task, a job posting stored text and an event listener.

A team's `relay` feature, declared here, repeats what it is given as carelessly as a feature
could: in text, `markdown_text`, markdown, table, alert, rich-text (mentions and links rebuilt as
elements), section and context blocks, attachments with legacy buttons, a modal, a Home tab, a
streamed reply, and `api_call` with `json=` and form-encoded `data=`. What it composes itself, a
mention of the owner a webhook names by ID, must still ping. Every message Sloth sent is checked:
no live mass mention, no mention of a member the input named, no disguised link.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.api import Context, Invocation, Param, Reply, Router
from bot.features.registry import Feature
from bot.guard import GUARDED_METHODS
from bot.runtime.lifecycle import Runtime
from bot.testing import FakeClock, registry_for
from sloth_emulator import Emulator
from sloth_emulator.default_data import AMELIA, JONAS, WJK68
from tests.e2e.harness import run_jobs, running_bot, settle

INPUTS = 400  # per path; each input makes a dozen calls
OWNER = WJK68  # named by ID in the webhook's payload: the feature mentions them on purpose
MASS = ("<!everyone>", "<!channel>", "<!here>", "<!here|here>", "<!subteam^S0DEVS|@devs>")
TOKENS = (*MASS, f"<@{AMELIA}|boss>", f"<@{AMELIA}>", "<http://evil.example|https://slack.com>",
          "[https://slack.com](http://evil.example)", "![logo](http://evil.example/x.png)", "deploy", "is", "done",
          "#general", ":tada:", "x" * 30, "<https://ok.example>")
_MASS = re.compile(r"<!(?:everyone|channel|here|subteam\^)")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")

relay = Router("relay")


def rich(text: str, owner: str | None = None) -> dict[str, Any]:
    """`text` as rich text, its mentions and links rebuilt as elements (as a careless feature might)."""
    elements: list[dict[str, Any]] = [{"type": "user", "user_id": owner}] if owner else []
    elements.append({"type": "text", "text": text})
    elements += [{"type": "user", "user_id": m.group(1)} for m in _MENTION.finditer(text)]
    elements += [{"type": "link", "url": m.group(1), "text": m.group(2)} for m in _LINK.finditer(text)]
    return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": elements}]}


def blocks(text: str, owner: str | None = None) -> list[dict[str, Any]]:
    who = f"<@{owner}> " if owner else ""
    return [
        {"type": "markdown", "text": who + text},
        {"type": "table", "rows": [[{"type": "raw_text", "text": "said"}, rich(text)],
                                   [{"type": "raw_text", "text": text}, {"type": "raw_text", "text": "-"}]]},
        {"type": "alert", "level": "warning", "text": {"type": "mrkdwn", "text": who + text}},
        rich(text, owner),
        {"type": "section", "text": {"type": "mrkdwn", "text": text}, "fields": [{"type": "plain_text", "text": text}]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]},
    ]


def attachments(text: str) -> list[dict[str, Any]]:
    return [{"fallback": text, "pretext": text, "author_name": text, "title": text, "text": text,
             "fields": [{"title": text, "value": text}],
             "actions": [{"type": "button", "name": "ok", "text": text, "value": "ok"}]}]


async def say_everywhere(ctx: Context, tag: str, text: str, owner: str | None, recipient: str) -> None:
    """Every way of posting a message, each with `text` in it; `owner` mentioned on purpose."""
    who = f"<@{owner}> " if owner else ""
    posted = await ctx.client.chat_postMessage(channel="general", text=f"{tag}: {who}{text}",
                                               blocks=blocks(text, owner), attachments=attachments(text))
    channel, ts = posted["channel"], posted["ts"]
    await ctx.client.api_call("chat.postMessage", json={"channel": channel, "markdown_text": f"{tag}: {who}{text}"})
    await ctx.client.api_call("chat.postMessage", data={"channel": channel, "text": text, "link_names": "1",
                                                        "blocks": json.dumps(blocks(text))})
    stream = await ctx.client.chat_startStream(channel=channel, thread_ts=ts, markdown_text=who + text,
                                               recipient_user_id=recipient, recipient_team_id=ctx.identity.team_id)
    await ctx.client.chat_appendStream(channel=channel, ts=stream["ts"], markdown_text=text, chunks=[
        {"type": "markdown_text", "text": text}, {"type": "plan_update", "title": text},
        {"type": "task_update", "id": "t1", "title": text, "status": "in_progress", "details": text, "output": text,
         "sources": [{"type": "url", "url": m.group(1), "text": m.group(2)} for m in _LINK.finditer(text)]}])
    await ctx.client.chat_stopStream(channel=channel, ts=stream["ts"], markdown_text=text, blocks=blocks(text)[:3],
                                     chunks=[{"type": "blocks", "blocks": blocks(text)[3:]}])


@relay.command("relay", "Repeat it everywhere.", Param("words", "text"))
async def relay_command(ctx: Context, inv: Invocation, args: Any) -> Reply:
    text = args["words"]
    await say_everywhere(ctx, "said", text, None, inv.user)
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Relay"}, "blocks": blocks(text),
             "submit": {"type": "plain_text", "text": "Send"}, "private_metadata": text}
    opened = await ctx.client.views_open(trigger_id=inv.trigger_id or "", view=modal)
    await ctx.client.views_update(view_id=opened["view"]["id"], view={**modal, "blocks": blocks(text)[3:]})
    await ctx.client.views_publish(user_id=inv.user, view={"type": "home", "blocks": blocks(text)})
    await ctx.store.update("inbox", lambda inbox: [*(inbox or []), {"text": text, "owner": OWNER}])
    return Reply(text=text, blocks=blocks(text), attachments=attachments(text))


@relay.http("POST", "/relay/hook")
async def hook(ctx: Context, request: web.Request) -> web.Response:
    body = await request.json() if request.content_type == "application/json" else dict(await request.post())
    text, owner = str(body["text"]), str(body["owner"])
    await say_everywhere(ctx, "hook", text, owner, owner)
    await ctx.store.update("inbox", lambda inbox: [*(inbox or []), {"text": text, "owner": owner}])
    ctx.spawn(relay_later(ctx), "later")
    return web.json_response({"ok": True})


async def relay_later(ctx: Context) -> None:
    """A background task posting the newest stored text (a fresh scope: the route's body is not in it)."""
    inbox = await ctx.store.get("inbox") or []
    if inbox:
        item = inbox[-1]
        await ctx.client.chat_postMessage(channel="general", text=f"later: <@{item['owner']}> {item['text']}",
                                          blocks=blocks(item["text"], item["owner"]))


@relay.every(60, name="digest")
async def digest(ctx: Context) -> None:
    """A job posting every stored text (what members and webhooks sent, long ago) and clearing them."""
    for item in await ctx.store.get("inbox") or []:
        await say_everywhere(ctx, "job", item["text"], item["owner"], item["owner"])
    await ctx.store.delete("inbox")


@relay.event("message", "channels:history")
async def heard(ctx: Context, event: dict[str, Any]) -> None:
    """Relays a member's message, and what an integration's attachments say (the event is input too)."""
    text = str(event.get("text") or "")
    if text.startswith("relay-me") and not event.get("bot_id"):
        text += " ".join(str(a.get("text", "")) for a in event.get("attachments") or [])
        await ctx.client.chat_postMessage(channel=event["channel"], text=f"heard: {text}", blocks=blocks(text))


def line(rng: random.Random) -> str:
    return " ".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 6)))


def strings(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, str):
        if key not in ("value", "metadata", "private_metadata"):  # never shown
            try:
                decoded = json.loads(value)
            except ValueError:
                yield value
                return
            yield from strings(decoded) if isinstance(decoded, (dict, list)) else iter([value])
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, key)
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from strings(item, name)


def dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            yield from dicts(json.loads(value))
        except ValueError:
            return
    elif isinstance(value, list):
        for item in value:
            yield from dicts(item)
    elif isinstance(value, dict):
        yield value
        for item in value.values():
            yield from dicts(item)


def leaks(where: str, sent: Any) -> Iterator[str]:
    for text in strings(sent):
        if _MASS.search(text):
            yield f"mass mention in {where}: {text[:120]!r}"
        if f"<@{AMELIA}" in text:
            yield f"mention of {AMELIA} in {where}: {text[:120]!r}"
        if "<http://evil.example|" in text or "](http://evil.example" in text:
            yield f"disguised link in {where}: {text[:120]!r}"
    for element in dicts(sent):
        if element.get("type") in ("broadcast", "usergroup") or element.get("user_id") == AMELIA:
            yield f"live rich-text mention in {where}: {element}"
        if element.get("url") == "http://evil.example" and element.get("text") not in (None, "http://evil.example"):
            yield f"disguised rich-text link in {where}: {element}"


def sent_since(emu: Emulator, calls: int, posts: int = 0) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = [(c.method, c.args) for c in emu.calls[calls:] if c.method in GUARDED_METHODS]
    return found + [("response_url", p.body) for p in emu.responses[posts:]]


def relay_registry() -> Any:
    base = registry_for(builtins=False)
    return type(base)([*base.features, Feature(relay, "test", "test_guard_paths")])


async def test_fuzzed_commands_through_every_kind_of_block_view_and_stream(emulator: Emulator, tmp_path: Path) -> None:
    rng = random.Random(20261207)
    async with running_bot(emulator, tmp_path, registry=relay_registry(), clock=FakeClock()) as bot:
        found: list[str] = []
        for _ in range(INPUTS):
            calls, posts = len(emulator.calls), len(emulator.responses)
            typed = f"relay {line(rng)}"
            delivery = await emulator.slash_command(text=typed, user=JONAS, channel="general")
            await delivery.acked()
            await settle(bot)
            sent = sent_since(emulator, calls, posts)
            assert {"views.open", "views.update", "views.publish", "chat.stopStream", "response_url"} <= {
                method for method, _ in sent}, f"{typed!r} was not answered everywhere"
            found += [leak for where, args in sent for leak in leaks(f"{where} for {typed!r}", args)]
        refused = [c for c in emulator.calls if c.method in GUARDED_METHODS and not c.ok]
    assert refused == [], refused[:3]
    assert found == [], "\n".join(found[:20])


async def test_fuzzed_commands_said_again_with_older_blocks_stay_inert(emulator: Emulator, tmp_path: Path) -> None:
    """Where the workspace refuses the newer kinds, what Sloth says again the classic way (a table's
    rich-text links and raw text, Markdown, alerts turned into mrkdwn) passes the guard again."""
    emulator.refuse_block_types({"table", "markdown", "alert"})
    rng = random.Random(20261209)
    async with running_bot(emulator, tmp_path, registry=relay_registry(), clock=FakeClock()) as bot:
        found: list[str] = []
        for _ in range(INPUTS // 4):
            calls, posts = len(emulator.calls), len(emulator.responses)
            typed = f"relay {line(rng)}"
            delivery = await emulator.slash_command(text=typed, user=JONAS, channel="general")
            await delivery.acked()
            await settle(bot)
            found += [leak for where, args in sent_since(emulator, calls, posts)
                      for leak in leaks(f"{where} for {typed!r}", args)]
        refused = {c.error for c in emulator.calls if c.method in GUARDED_METHODS and not c.ok}
    assert refused <= {"invalid_blocks"}
    assert found == [], "\n".join(found[:20])
    shown = [b for post in emulator.posts() for b in post.message.get("blocks") or []]
    assert shown and not {"table", "markdown", "alert"} & {b["type"] for b in shown}  # all said the classic way


async def test_fuzzed_webhooks_background_tasks_and_jobs_posting_stored_text(emulator: Emulator,
                                                                             tmp_path: Path) -> None:
    rng = random.Random(20261208)
    async with running_bot(emulator, tmp_path, registry=relay_registry(), clock=FakeClock()) as bot:
        start = len(emulator.calls)
        async with aiohttp.ClientSession() as http:
            for number in range(INPUTS):
                await post_hook(http, bot, number, line(rng))
        await background_done(bot)
        assert await run_jobs(bot) >= 1
        await background_done(bot)
        sent = sent_since(emulator, start)
        refused = [c for c in emulator.calls[start:] if c.method in GUARDED_METHODS and not c.ok]
    assert refused == [], refused[:3]
    assert [leak for where, args in sent for leak in leaks(where, args)] == []
    # What the feature composed from an ID it was given still pings, on every path.
    for tag in ("hook", "later", "job"):
        texts = [args["text"] for method, args in sent if method == "chat.postMessage"
                 and str(args.get("text", "")).startswith(f"{tag}: ")]
        assert len(texts) == INPUTS and all(f"<@{OWNER}>" in text for text in texts), tag
    owners = [e for _, args in sent for e in dicts(args) if e.get("type") == "user" and e.get("user_id") == OWNER]
    assert len(owners) >= 3 * INPUTS


async def post_hook(http: aiohttp.ClientSession, bot: Runtime, number: int, text: str) -> None:
    """A webhook's payload as JSON (some with `<` written \\u003c, as some senders do) or a form."""
    url = f"http://127.0.0.1:{bot.http_port}/relay/hook"
    body = {"text": text, "owner": OWNER}
    if number % 3 == 2:
        async with http.post(url, data=body) as response:
            assert response.status == 200
        return
    raw = json.dumps(body).replace("<", "\\u003c") if number % 3 == 1 else json.dumps(body)
    async with http.post(url, data=raw, headers={"Content-Type": "application/json"}) as response:
        assert response.status == 200


async def background_done(bot: Runtime) -> None:
    later = [task for task in bot.supervisor.tasks if task.get_name() == "relay:later"]
    await asyncio.gather(*later)


async def test_fuzzed_messages_heard_by_a_feature_listener(emulator: Emulator, tmp_path: Path) -> None:
    rng = random.Random(20261209)
    async with running_bot(emulator, tmp_path, registry=relay_registry(), clock=FakeClock()) as bot:
        start = len(emulator.calls)
        general = emulator.workspace.general().id
        for number in range(INPUTS // 3):
            if number % 2:
                delivery = await emulator.user_message(user=JONAS, channel="general", text=f"relay-me {line(rng)}")
            else:  # an integration's post: the text says nothing, its attachment all of it
                delivery = await emulator.send_event({
                    "type": "message", "channel": general, "channel_type": "channel", "user": JONAS,
                    "ts": f"{1_700_000_000 + number}.000100", "text": "relay-me", "attachments": [{"text": line(rng)}]})
            await delivery.acked()
            await settle(bot)
        sent = sent_since(emulator, start)
    assert len([1 for method, _ in sent if method == "chat.postMessage"]) == INPUTS // 3
    assert [leak for where, args in sent for leak in leaks(where, args)] == []
