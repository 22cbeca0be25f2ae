"""Many workspaces: two installed through /slack/install and kept apart in everything Sloth
keeps or shows (a block kind one refuses included); an uninstall revokes at once; the install
state works once."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.runtime.lifecycle import Runtime
from bot.slack.fallback import support_of
from sloth_emulator import MultiWorkspace, Workspace
from tests.e2e.harness import answers, ask, settle, visible_text
from tests.e2e.workspaces import browser, finish, install, running_many, sloth_url, start_install

DATA, FIELD = "T024DATAAN", "T03FIELDNT"
WILL, MARIA = "U01WJK68KS", "U03MARIAGS"


@pytest.fixture
async def slack() -> AsyncIterator[MultiWorkspace]:
    async with MultiWorkspace(Workspace.default(), Workspace.field_notes()) as multi:
        yield multi


@pytest.fixture
async def sloth(slack: MultiWorkspace, tmp_path: Path) -> AsyncIterator[Runtime]:
    async with running_many(slack, tmp_path) as runtime:
        yield runtime


def stored_keys(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "sloth.db") as db:
        return [row[0] for row in db.execute("SELECT key FROM kv")]


async def test_two_workspaces_installed_through_slack_install_never_see_each_other(
        slack: MultiWorkspace, sloth: Runtime, tmp_path: Path) -> None:
    assert "Sloth is installed in Data Analysis" in await install(sloth, DATA, WILL)
    assert "Sloth is installed in Field Notes" in await install(sloth, FIELD, MARIA)
    data, field = slack[DATA], slack[FIELD]

    data_channels = visible_text(await ask(data, sloth, "channels", user=WILL, channel="C01GENERAL"))
    field_channels = visible_text(await ask(field, sloth, "channels", user=MARIA, channel="C03GENERAL"))
    assert "python_content" in data_channels and "birds" not in data_channels
    assert "birds" in field_channels and "python_content" not in field_channels
    field_people = visible_text(await ask(field, sloth, "users", user=MARIA, channel="C03GENERAL"))
    assert "Maria" in field_people and "Amelia" not in field_people and "Will" not in field_people
    assert "Field Notes" in visible_text(await ask(field, sloth, "team", user=MARIA, channel="C03GENERAL"))

    # A game started in one workspace: kept under that workspace, and unknown in the other.
    await (await data.slash_command(text="play tictactoe", user=WILL, channel="C01GENERAL")).acked()
    await settle(sloth)
    assert any(p.message.get("blocks") for p in data.posts("C01GENERAL"))
    keys = stored_keys(tmp_path)
    games = [k for k in keys if ":games:" in k or k.startswith("games:")]
    assert games and all(k.startswith(f"workspace:{DATA}:games:") for k in games)
    # Everything a workspace has is under its own prefix; only Sloth's own shared records are not.
    shared = ("install:", "install_state:", "event:")
    assert all(k.startswith(("workspace:T024DATAAN:", "workspace:T03FIELDNT:", *shared)) for k in keys), keys
    field_scores = visible_text(await ask(field, sloth, "scores", user=MARIA, channel="C03GENERAL"))
    assert "No games" in field_scores

    # Each workspace's directory was walked with its own token, and holds only its own people.
    served = sloth.workspaces.served
    assert set(served) == {DATA, FIELD}
    assert set(served[FIELD].core.directory.users) <= set(field.workspace.users)
    assert set(served[DATA].core.directory.users).isdisjoint(field.workspace.users.keys() - {"USLACKBOT"})
    # The tokens are sealed at rest: neither appears in the store.
    with sqlite3.connect(tmp_path / "sloth.db") as db:
        dump = "\n".join(str(row) for row in db.execute("SELECT key, value FROM kv"))
    assert data.bot_token not in dump and field.bot_token not in dump


def kinds(body: dict[str, Any]) -> list[str]:
    return [b["type"] for b in body.get("blocks") or []]


async def test_a_block_kind_one_workspace_refuses_is_said_the_classic_way_there_only(
        slack: MultiWorkspace, sloth: Runtime) -> None:
    await install(sloth, DATA, WILL)
    await install(sloth, FIELD, MARIA)
    data, field = slack[DATA], slack[FIELD]
    data.refuse_block_types({"table"})

    # Data Analysis refuses the listing's table (a response_url names no kind): said again with sections.
    refused = await answers(data, sloth, "channels", user=WILL, channel="C01GENERAL")
    assert [(p.status, p.error) for p in refused] == [(400, "invalid_blocks"), (200, None)]
    assert "table" in kinds(refused[0].body) and "table" not in kinds(refused[1].body)
    assert "python_content" in visible_text(refused[1].body)
    # Field Notes takes tables: its listing keeps its table, taken at the first try.
    taken = await answers(field, sloth, "channels", user=MARIA, channel="C03GENERAL")
    assert [(p.status, kinds(p.body).count("table")) for p in taken] == [(200, 1)]
    served = sloth.workspaces.served
    assert support_of(served[DATA].core.client).refusing() == {"table"}
    assert support_of(served[FIELD].core.client).refusing() == frozenset()

    # Remembered for Data Analysis alone: through the Web API its answer is said the classic way at
    # once (no refusal), while Field Notes' still goes out, and is taken, with its table.
    await data.mention("channels", user=WILL, channel="C01GENERAL")
    await field.mention("channels", user=MARIA, channel="C03GENERAL")
    [data_call], [field_call] = data.calls_to("chat.postMessage"), field.calls_to("chat.postMessage")
    assert data_call.error is None and "table" not in kinds(data_call.args)
    assert field_call.error is None and "table" in kinds(field_call.args)
    assert support_of(served[FIELD].core.client).refusing() == frozenset()


async def test_a_request_from_a_workspace_not_installed_is_dropped(slack: MultiWorkspace, sloth: Runtime) -> None:
    await install(sloth, DATA, WILL)
    delivery = await slack[FIELD].slash_command(text="channels", user=MARIA, channel="C03GENERAL")
    await delivery.acked()
    await settle(sloth)
    assert [p for p in slack[FIELD].responses if p.url == delivery.payload["response_url"]] == []
    assert FIELD not in sloth.workspaces.served


async def test_uninstalling_revokes_the_installation_at_once(slack: MultiWorkspace, sloth: Runtime) -> None:
    await install(sloth, DATA, WILL)
    await install(sloth, FIELD, MARIA)
    for delivery in await slack[FIELD].uninstall():
        await delivery.acked()
    await settle(sloth)
    assert await sloth.installations.find(FIELD) is None and FIELD not in sloth.workspaces.served
    assert await sloth.installations.teams() == [DATA]
    later = await slack[FIELD].slash_command(text="channels", user=MARIA, channel="C03GENERAL")
    await later.acked()
    await settle(sloth)
    assert not [p for p in slack[FIELD].responses if p.url == later.payload["response_url"]]
    assert "python_content" in visible_text(await ask(slack[DATA], sloth, "channels", user=WILL,
                                                      channel="C01GENERAL"))
    # Installed again: served again, with the new token.
    await install(sloth, FIELD, MARIA)
    assert "birds" in visible_text(await ask(slack[FIELD], sloth, "channels", user=MARIA, channel="C03GENERAL"))


async def test_the_install_state_works_once_in_the_browser_that_started_it(
        slack: MultiWorkspace, sloth: Runtime) -> None:
    async with browser() as http:
        redirect = await start_install(http, sloth, FIELD, MARIA)
        async with browser() as other:
            status, text = await finish(other, redirect)  # no cookie: another browser
        assert status == 400 and "did not start this installation" in text
        assert (await finish(http, redirect))[0] == 200
        # The cookie is gone after use; a replay with it put back is refused by the spent nonce.
        http.cookie_jar.update_cookies({"sloth_oauth_state": redirect.split("state=")[1].split("&")[0]})
        status, text = await finish(http, redirect)
    assert status == 400 and ("already used" in text or "did not start" in text)
    assert await sloth.installations.teams() == [FIELD]


async def test_each_workspace_starts_its_features_and_shares_the_process_s_metrics(
        slack: MultiWorkspace, sloth: Runtime) -> None:
    # The training feature's start hook makes its ingest-refusal counter: once per process, though it
    # runs once per workspace served.
    await install(sloth, DATA, WILL)
    await install(sloth, FIELD, MARIA)
    served = sloth.workspaces.served
    started = [served[team].core.of("training").state.training for team in (DATA, FIELD)]
    assert started[0] is not started[1] and started[0].refusals.counter is started[1].refusals.counter
    started[1].refusals.refused("127.0.0.1", "token", 401, "wrong token")
    async with browser() as http, http.get(f"{sloth_url(sloth)}/metrics") as page:
        metrics = await page.text()
    assert metrics.count("# TYPE sloth_training_ingest_refused_total counter") == 1
    assert 'sloth_training_ingest_refused_total{reason="token"} 1.0' in metrics


async def test_a_feature_route_says_plainly_it_is_not_served_with_many_workspaces(
        slack: MultiWorkspace, sloth: Runtime) -> None:
    await install(sloth, DATA, WILL)
    async with browser() as http:
        async with http.get(f"{sloth_url(sloth)}/training/runs") as pages:
            status, text, kind = pages.status, await pages.text(), pages.content_type
        async with http.get(f"{sloth_url(sloth)}/nothing/here") as unknown:
            assert unknown.status == 404 and "many workspaces" not in await unknown.text()
    assert status == 404 and kind == "text/plain"
    assert "serves many workspaces (SLOTH_WORKSPACES=many), and this request names none" in text
    assert slack[DATA].posts() == []  # nothing reached a workspace
