"""Many workspaces: training ingest served per workspace, each workspace's jobs with a token its
admins issued (`/sloth token training`), and a token never reaching another workspace; run pages
served per workspace from the member's signed link, which opens its own workspace's runs only."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.runtime.lifecycle import Runtime
from handlers.training.service import training
from sloth_emulator import Emulator, MultiWorkspace, Workspace
from tests.e2e.harness import ask, settle, visible_text
from tests.e2e.training.training_harness import cards, payload
from tests.e2e.workspaces import browser, install, running_many, sloth_url

DATA, FIELD = "T024DATAAN", "T03FIELDNT"
WILL, AMELIA, MARIA = "U01WJK68KS", "U01AMHART1", "U03MARIAGS"
FIELD_GENERAL = "C03GENERAL"
TOKEN_SHAPE = re.compile(r"slr-[A-Za-z0-9_-]{43}")


@pytest.fixture
async def slack() -> AsyncIterator[MultiWorkspace]:
    async with MultiWorkspace(Workspace.default(), Workspace.field_notes()) as multi:
        yield multi


@pytest.fixture
async def sloth(slack: MultiWorkspace, tmp_path: Path) -> AsyncIterator[Runtime]:
    async with running_many(slack, tmp_path) as runtime:
        await install(runtime, DATA, WILL)
        await install(runtime, FIELD, MARIA)
        yield runtime


async def issue(emu: Emulator, sloth: Runtime, user: str, channel: str, line: str = "token training") -> str:
    body = await ask(emu, sloth, line, user=user, channel=channel)
    assert body.get("response_type") == "ephemeral", body  # a secret: shown to the admin who asked only
    found = TOKEN_SHAPE.findall(visible_text(body))
    assert found, body
    return found[0]


async def report(sloth: Runtime, run_id: str, channel: str, token: str) -> tuple[int, dict[str, Any]]:
    run = {"name": run_id, "channel": channel, "owner": None, "total_epochs": 3, "config": {}}
    body = json.dumps({"run": run, "events": [{"type": "start", "seq": 1, "time": time.time()}], "dropped": 0})
    async with browser() as http, http.post(f"{sloth_url(sloth)}/monitor/v1/runs/{run_id}/events", data=body,
                                            headers={"Authorization": f"Bearer {token}"}) as answer:
        return answer.status, await answer.json()


async def test_each_workspace_s_token_reports_into_that_workspace_only(slack: MultiWorkspace, sloth: Runtime) -> None:
    data, field = slack[DATA], slack[FIELD]
    data_token = await issue(data, sloth, WILL, "C01GENERAL")
    field_token = await issue(field, sloth, MARIA, FIELD_GENERAL)
    assert data_token != field_token

    assert (await report(sloth, "run-data-1", "#testing_exp", data_token))[0] == 200
    [card] = await data.wait_for(lambda: cards(data, "testing_exp"), timeout=10)
    assert payload(card)["run_id"] == "run-data-1"
    assert (await report(sloth, "run-field-1", "#birds", field_token))[0] == 200
    [bird_card] = await field.wait_for(lambda: cards(field, "birds"), timeout=10)
    assert payload(bird_card)["run_id"] == "run-field-1"
    # Each run is its own workspace's: kept under it, unknown to the other.
    served = sloth.workspaces.served
    data_runs, field_runs = (training(served[team].core.of("training")).runs for team in (DATA, FIELD))
    assert await data_runs.get("run-data-1") is not None and await field_runs.get("run-data-1") is None
    assert await field_runs.get("run-field-1") is not None and await data_runs.get("run-field-1") is None
    assert not [p for p in field.posts() if "run-data" in json.dumps(p.message)]

    # Workspace A's token naming a channel of workspace B: reported in A, where no such channel is.
    status, _ = await report(sloth, "run-data-2", FIELD_GENERAL, data_token)
    assert status == 200
    await data.wait_for(lambda: [c for c in data.calls_to("chat.postMessage") if c.error == "channel_not_found"],
                        timeout=10)
    status, answer = await report(sloth, "run-data-2", FIELD_GENERAL, data_token)
    assert any("cannot post the card" in notice for notice in answer["notices"]), answer
    assert not [p for p in field.posts() if "run-data" in json.dumps(p.message)]
    assert not [c for c in field.calls_to("chat.postMessage") if "run-data" in json.dumps(c.args)]


async def test_unknown_revoked_and_replaced_tokens_are_refused_401(slack: MultiWorkspace, sloth: Runtime) -> None:
    data, field = slack[DATA], slack[FIELD]
    for token in ("", "slr-" + "x" * 43, "Bearer-less", "monitor-token-for-tests"):
        status, answer = await report(sloth, "run-unknown", "#testing_exp", token)
        assert status == 401 and "token" in answer["error"], (token, answer)
    first = await issue(data, sloth, WILL, "C01GENERAL")
    second = await issue(data, sloth, WILL, "C01GENERAL")  # issuing again replaces the token
    assert (await report(sloth, "run-replaced", "#testing_exp", first))[0] == 401
    assert (await report(sloth, "run-replaced", "#testing_exp", second))[0] == 200
    revoked = await ask(data, sloth, "token training revoke", user=WILL, channel="C01GENERAL")
    assert "Revoked" in visible_text(revoked) and revoked.get("response_type") == "ephemeral"
    status, answer = await report(sloth, "run-revoked", "#testing_exp", second)
    assert status == 401 and "revoked" in answer["error"]
    # Uninstalled: its token no longer opens anything.
    field_token = await issue(field, sloth, MARIA, FIELD_GENERAL)
    for delivery in await field.uninstall():
        await delivery.acked()
    await settle(sloth)
    status, answer = await report(sloth, "run-uninstalled", "#birds", field_token)
    assert status == 401 and "revoked" in answer["error"]
    # Installed again: the token of before stays revoked; the workspace's admin issues a new one.
    await install(sloth, FIELD, MARIA)
    assert (await report(sloth, "run-uninstalled", "#birds", field_token))[0] == 401
    # An installation gone without Slack's event (its record removed): its tokens open nothing either.
    field_token = await issue(field, sloth, MARIA, FIELD_GENERAL)
    await sloth.installations.remove(FIELD)
    status, answer = await report(sloth, "run-uninstalled", "#birds", field_token)
    assert status == 401 and "no longer has Sloth installed" in answer["error"]
    assert cards(data, "testing_exp") and cards(field, "birds") == []


async def test_only_a_workspace_s_admins_issue_its_token(slack: MultiWorkspace, sloth: Runtime) -> None:
    body = await ask(slack[DATA], sloth, "token training", user=AMELIA, channel="C01GENERAL")
    assert "Only" in visible_text(body) and not TOKEN_SHAPE.search(visible_text(body))
    assert await sloth.route_tokens.index.get(f"team:{DATA}:training") is None


LINK = re.compile(r"http://127\.0\.0\.1:\d+/training/enter\?t=[A-Za-z0-9_.%-]+")


async def page_link(emu: Emulator, sloth: Runtime, user: str, channel: str, run_id: str) -> str:
    body = await ask(emu, sloth, f"runs page {run_id}", user=user, channel=channel)
    assert body.get("response_type") == "ephemeral", body  # a link for the member who asked alone
    found = LINK.findall(json.dumps(body))
    assert found, body
    return found[0]


def with_team(token: str, team: str) -> str:
    """`token` made to name another workspace, its signature kept."""
    body, _, mac = token.partition(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "w": team}).encode()).decode().rstrip("=")
    return f"{forged}.{mac}"


async def test_a_run_page_link_opens_its_own_workspace_s_runs_only(slack: MultiWorkspace, sloth: Runtime) -> None:
    data, field = slack[DATA], slack[FIELD]
    assert (await report(sloth, "run-data-1", "#testing_exp", await issue(data, sloth, WILL, "C01GENERAL")))[0] == 200
    assert (await report(sloth, "run-field-1", "#birds", await issue(field, sloth, MARIA, FIELD_GENERAL)))[0] == 200
    await data.wait_for(lambda: cards(data, "testing_exp"), timeout=10)
    await field.wait_for(lambda: cards(field, "birds"), timeout=10)
    base = sloth_url(sloth)

    data_link = await page_link(data, sloth, WILL, "C01GENERAL", "run-data-1")
    async with browser() as http:
        async with http.get(data_link) as opened:  # the link, then its page (the session cookie kept)
            assert opened.status == 200 and "run-data-1" in await opened.text()
        async with http.get(f"{base}/training/static/run_page.js") as script:  # the page's own files too
            assert script.status == 200 and script.content_type == "text/javascript"
        async with http.get(f"{base}/training/runs/run-data-1/data") as drawn:
            assert drawn.status == 200 and (await drawn.json())["summary"]["run_id"] == "run-data-1"
        async with http.get(f"{base}/training/runs") as table:
            listed = await table.text()
            assert table.status == 200 and "run-data-1" in listed and "run-field-1" not in listed
        # The other workspace's run, asked with this workspace's session: not one of this workspace's runs.
        async with http.get(f"{base}/training/runs/run-field-1") as elsewhere:
            assert elsewhere.status == 404 and "run-field-1" not in await elsewhere.text()
        [session] = [c.value for c in http.cookie_jar if c.key == "sloth_training"]

    # The same link or session made to name the other workspace: its key does not sign it, refused.
    token = parse_qs(urlsplit(data_link).query)["t"][0]
    async with browser() as http:
        async with http.get(f"{base}/training/enter", params={"t": with_team(token, FIELD)},
                            allow_redirects=False) as forged_link:
            assert forged_link.status == 403 and "not one of Sloth's" in await forged_link.text()
        async with http.get(f"{base}/training/runs/run-field-1",
                            cookies={"sloth_training": with_team(session, FIELD)}) as forged_session:
            text = await forged_session.text()
            assert forged_session.status == 403 and "run-field-1" not in text
        async with http.get(f"{base}/training/enter", params={"t": with_team(token, "T99NOTHERE")},
                            allow_redirects=False) as unknown:
            assert unknown.status == 403 and "no longer has Sloth installed" in await unknown.text()

    field_link = await page_link(field, sloth, MARIA, FIELD_GENERAL, "run-field-1")
    async with browser() as http, http.get(field_link) as opened:
        assert opened.status == 200 and "run-field-1" in await opened.text()
    assert not [p for p in field.posts() if "run-data" in json.dumps(p.message)]


async def test_training_says_where_tokens_come_from_with_many_workspaces(
        slack: MultiWorkspace, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with running_many(slack, tmp_path / "fresh") as fresh:
        await install(fresh, FIELD, MARIA)
        body = await ask(slack[FIELD], fresh, "runs", user=MARIA, channel=FIELD_GENERAL)
    said = visible_text(body)
    assert "No training runs yet" in said and "/sloth token training" in said and "SLOTH_MONITOR_TOKEN" not in said
    assert not [r for r in caplog.records if "SLOTH_MONITOR_TOKEN" in r.getMessage()]
