"""`sloth doctor` against the emulator: every failure it reports, and the all-good run.

The doctor runs through its Python entry (`check_workspace`, `doctor`) in the test's own event
loop beside the emulator, and once as a real process through the `sloth` console script.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
from pathlib import Path

from bot.doctor import Outcome, check_workspace, doctor
from bot.doctor.report import Check
from bot.features.manifest import manifest
from bot.testing import grant_manifest_scopes, registry_for
from sloth_emulator import Emulator, Workspace
from tests.conftest import free_port
from tests.e2e.harness import running_bot

WJK68 = "U01WJK68KS"
MANIFEST_SCOPES = set(manifest(registry_for())["oauth_config"]["scopes"]["bot"])


def doctor_env(emu: Emulator, tmp_path: Path, **extra: str) -> dict[str, str]:
    """Settings as `sloth run` would read them, pointed at the emulator; Sloth's HTTP side at a
    port where nothing listens unless a test says otherwise."""
    env = {"SLACK_BOT_TOKEN": emu.bot_token, "SLACK_APP_TOKEN": emu.app_token, "SLACK_API_URL": emu.api_url,
           "SLOTH_DATA_DIR": str(tmp_path), "SLOTH_PUBLIC_URL": f"http://127.0.0.1:{free_port()}"}
    return {**env, **extra}


def lines(outcome: Outcome) -> dict[str, Check]:
    return {check.name: check for check in outcome.checks}


def line(outcome: Outcome, name: str) -> Check:
    found = lines(outcome)
    assert name in found, f"no line {name!r} in {list(found)}"
    return found[name]


def failed_names(outcome: Outcome) -> list[str]:
    return [c.name for c in outcome.checks if c.status == "failed"]


async def test_all_good_exits_0_and_leaves_nothing_behind(tmp_path: Path) -> None:
    async with Emulator(Workspace.default()) as emu, running_bot(emu, tmp_path / "sloth") as sloth:
        grant_manifest_scopes(emu, sloth.registry)
        public_url = sloth.settings.public_url
        emu.app_manifest = manifest(sloth.registry, "/sloth", public_url=public_url)  # as pasted from `sloth manifest`
        before = [m["ts"] for m in emu.messages("general")]
        files_before = set(emu.workspace.files)
        out = io.StringIO()
        code = await doctor(doctor_env(emu, tmp_path, SLOTH_PUBLIC_URL=public_url, SLACK_USER_TOKEN=emu.user_token,
                                       SLACK_CONFIG_TOKEN=emu.config_token), "#general", out, width=400)
        table = out.getvalue()
        assert code == 0, table
        assert "FAILED" not in table and "0 failed" in table
        # Only the OAuth line is not checked: connect needs SLOTH_SECRET_KEY and the app credentials.
        assert [row.split("  ")[0] for row in table.splitlines() if "not checked:" in row] == ["OAuth redirect URL"]
        assert "1 other connection(s) open, so Sloth (or another client) is connected too" in table
        assert "Sloth answers at" in table and "running, Socket Mode connected" in table
        # The test message, the file and the file's share message are gone again.
        assert [m["ts"] for m in emu.messages("general")] == before
        assert set(emu.workspace.files) == files_before
        assert [c.ok for c in emu.calls_to("chat.delete")] == [True, True]
        assert [c.ok for c in emu.calls_to("files.delete")] == [True]
        posted = emu.calls_to("chat.postMessage")[-1]
        assert posted.args["metadata"]["event_type"] == "sloth_doctor" and posted.ok
        await emu.wait_for(lambda: emu.connections == 1)  # the doctor's Socket Mode connection closed
        assert await sloth.connected()


async def test_without_a_channel_or_config_token_those_checks_say_what_they_need(tmp_path: Path) -> None:
    async with Emulator(Workspace.default()) as emu, running_bot(emu, tmp_path / "sloth") as sloth:
        outcome = await check_workspace(doctor_env(emu, tmp_path, SLOTH_PUBLIC_URL=sloth.settings.public_url))
    assert outcome.code == 0, outcome.checks
    channel = line(outcome, "channel test")
    assert channel.status == "skipped" and channel.result == "no --channel given"
    assert "sloth doctor --channel #sloth-test" in channel.change
    for name in ("interactivity", "event subscriptions"):
        assert line(outcome, name).status == "skipped"
        assert line(outcome, name).result.startswith("needs SLACK_CONFIG_TOKEN")
    assert "app_mention, " in line(outcome, "event subscriptions").change
    assert line(outcome, "user token (SLACK_USER_TOKEN)").status == "skipped"
    assert not [c for c in emu.calls if c.method.startswith(("chat.", "files."))]


async def test_an_invalid_bot_token(tmp_path: Path) -> None:
    async with Emulator(Workspace.default()) as emu:
        outcome = await check_workspace(doctor_env(emu, tmp_path, SLACK_BOT_TOKEN="xoxb-0000-revoked"), "#general")
    token = line(outcome, "bot token (SLACK_BOT_TOKEN)")
    assert outcome.code == 1 and token.status == "failed" and token.result == "Slack refused it (invalid_auth)"
    assert "Bot User OAuth Token" in token.change
    assert line(outcome, "bot token scopes").status == "skipped"
    assert line(outcome, "channel test").result == "needs a valid bot token"
    assert line(outcome, "Socket Mode").status == "ok"  # the app token is fine


async def test_an_invalid_app_token(tmp_path: Path) -> None:
    async with Emulator(Workspace.default()) as emu:
        outcome = await check_workspace(doctor_env(emu, tmp_path, SLACK_APP_TOKEN="xapp-1-A07SLOTHAP-0-nope"))
        assert emu.connections == 0
    token = line(outcome, "app token (SLACK_APP_TOKEN)")
    assert outcome.code == 1 and token.status == "failed" and token.result == "Slack refused it (invalid_auth)"
    assert "connections:write" in token.change
    assert line(outcome, "Socket Mode").result == "needs a valid app token"
    assert line(outcome, "one app").status == "skipped"
    assert line(outcome, "bot token (SLACK_BOT_TOKEN)").status == "ok"


async def test_a_missing_scope_names_the_commands_the_runtime_switches_off(tmp_path: Path) -> None:
    async with Emulator(Workspace.default(), bot_scopes=MANIFEST_SCOPES - {"files:write"}) as emu:
        outcome = await check_workspace(doctor_env(emu, tmp_path), "#general")
        async with running_bot(emu, tmp_path / "sloth", scopes=False) as sloth:
            switched_off = dict(sloth.registry.unavailable)
    scopes = line(outcome, "bot token scopes")
    assert scopes.status == "failed"
    assert scopes.result == ("missing files:write; switched off at start: files (files:write); plot (files:write); "
                             "export (files:write); share (files:write)")
    assert switched_off == {name: ("files:write",) for name in ("files", "plot", "export", "share")}
    assert "add files:write to the app's Bot Token Scopes" in scopes.change and "reinstall" in scopes.change
    upload = line(outcome, "upload (files_upload_v2)")
    assert upload.status == "failed" and upload.result == "Slack answered missing_scope"
    assert upload.change.startswith("add files:write to the app's Bot Token Scopes")
    assert line(outcome, "post (chat.postMessage)").status == "ok"  # messages still work


async def test_missing_scopes_that_no_command_declares_are_named_too(tmp_path: Path) -> None:
    async with Emulator(Workspace.default(), bot_scopes=MANIFEST_SCOPES - {"im:history"}) as emu:
        outcome = await check_workspace(doctor_env(emu, tmp_path))
    scopes = line(outcome, "bot token scopes")
    assert scopes.status == "failed" and "switched off" not in scopes.result
    assert scopes.result == "missing im:history; needed to hear mentions, DMs and events and to answer: im:history"


async def test_a_user_token_missing_a_scope(tmp_path: Path) -> None:
    async with Emulator(Workspace.default()) as emu:
        emu.restrict_scopes(emu.user_token, {"users.profile:write", "dnd:write"})
        outcome = await check_workspace(doctor_env(emu, tmp_path, SLACK_USER_TOKEN=emu.user_token))
    assert line(outcome, "user token (SLACK_USER_TOKEN)").result.startswith(f"@wjk68 ({WJK68})")
    scopes = line(outcome, "user token scopes")
    assert scopes.status == "failed"
    assert scopes.result == "missing search:read: for @wjk68 these will not work: search (search:read)"


async def test_socket_mode_switched_off(tmp_path: Path) -> None:
    async with Emulator(Workspace.default()) as emu:
        await emu.disconnect_all("link_disabled")
        outcome = await check_workspace(doctor_env(emu, tmp_path, SLACK_CONFIG_TOKEN=emu.config_token))
    socket = line(outcome, "Socket Mode")
    assert socket.status == "failed" and socket.result.startswith("apps.connections.open answered link_disabled")
    assert "turn Socket Mode on" in socket.change
    assert line(outcome, "app token (SLACK_APP_TOKEN)").status == "skipped"
    # The app's settings say the same, and bots.info still names the app to export.
    setting = line(outcome, "Socket Mode setting")
    assert setting.status == "failed" and setting.result == "off in the app's settings"


async def test_tokens_of_two_apps(tmp_path: Path) -> None:
    async with Emulator(Workspace.default()) as emu:
        emu.workspace.bot_user.app_id = "A0OTHERAPP1"  # the bot user of another app
        outcome = await check_workspace(doctor_env(emu, tmp_path))
    same = line(outcome, "one app")
    assert same.status == "failed"
    assert same.result == f"the bot token belongs to app A0OTHERAPP1, the app token to app {emu.app_id}"


async def test_a_channel_sloth_cannot_post_in(tmp_path: Path) -> None:
    async with Emulator(Workspace.default(), bot_scopes=MANIFEST_SCOPES - {"chat:write.public"}) as emu:
        lab = emu.workspace.create_channel("sloth-test", WJK68)
        outcome = await check_workspace(doctor_env(emu, tmp_path), "#sloth-test")
        private = emu.workspace.create_channel("secret-lab", WJK68, is_private=True)
        hidden = await check_workspace(doctor_env(emu, tmp_path), "#secret-lab")
    assert line(outcome, "channel").result == f"#sloth-test ({lab.id}): public, Sloth is not a member"
    post = line(outcome, "post (chat.postMessage)")
    assert post.status == "failed" and post.result == "Slack answered not_in_channel"
    assert post.change == ("invite @sloth to #sloth-test (/invite @sloth) or add chat:write.public to the app's "
                           "Bot Token Scopes")
    for name in ("edit (chat.update)", "read back (conversations.history)", "message metadata"):
        assert line(outcome, name).result == "nothing was posted"
    upload = line(outcome, "upload (files_upload_v2)")
    assert upload.result == "Slack answered not_in_channel"
    assert "sharing files needs Sloth in the channel" in upload.change
    assert line(outcome, "clean up (chat.delete, files.delete)").result == "nothing was posted or uploaded"
    assert not lab.messages
    channel = line(hidden, "channel")
    assert channel.status == "failed" and channel.result == "Sloth sees no channel named #secret-lab"
    assert "invite @sloth" in channel.change and not private.messages


async def test_metadata_refused(tmp_path: Path) -> None:
    async with Emulator(Workspace.default()) as emu:
        emu.fail_next("chat.postMessage", "invalid_metadata_format")
        before = len(emu.messages("general"))
        outcome = await check_workspace(doctor_env(emu, tmp_path), "C01GENERAL")
        assert len(emu.messages("general")) == before
    metadata = line(outcome, "message metadata")
    assert metadata.status == "failed" and metadata.result == "Slack answered invalid_metadata_format"
    assert "posts them without it" in metadata.change
    assert line(outcome, "post (chat.postMessage)").result == "posted in #general without metadata"
    assert line(outcome, "edit (chat.update)").status == "ok"
    assert line(outcome, "read back (conversations.history)").status == "ok"
    first, second = emu.calls_to("chat.postMessage")
    assert "metadata" in first.args and not first.ok and "metadata" not in second.args and second.ok
    assert "metadata" not in emu.calls_to("chat.update")[0].args
    assert failed_names(outcome) == ["message metadata", "HTTP side (SLOTH_PUBLIC_URL)"]


async def test_an_upload_that_is_never_shared(tmp_path: Path) -> None:
    async with Emulator(Workspace.default(), share_delay=None) as emu:  # shares wait for complete_shares()
        outcome = await check_workspace(doctor_env(emu, tmp_path), "#general")
        assert len(emu.shares.pending) == 1
        [file_id] = [f.id for f in emu.shares.pending[0].files]
        assert file_id not in emu.workspace.files  # deleted all the same
    shared = line(outcome, "file shared (files.info)")
    assert shared.status == "failed" and shared.result == "Slack had not shared it in #general 3 s after the upload"
    assert line(outcome, "upload (files_upload_v2)").result == f"uploaded sloth-doctor.png ({file_id})"
    cleanup = line(outcome, "clean up (chat.delete, files.delete)")
    assert cleanup.status == "ok" and cleanup.result == "deleted 1 message(s) and 1 file(s) from #general"


async def test_an_unreachable_public_url_and_one_that_is_not_sloth(tmp_path: Path) -> None:
    async with Emulator(Workspace.default()) as emu:
        nobody = f"http://127.0.0.1:{free_port()}"
        outcome = await check_workspace(doctor_env(emu, tmp_path, SLOTH_PUBLIC_URL=nobody))
        stranger = await check_workspace(doctor_env(emu, tmp_path, SLOTH_PUBLIC_URL=emu.base_url.rstrip("/")))
    health = line(outcome, "HTTP side (SLOTH_PUBLIC_URL)")
    assert health.status == "failed" and outcome.code == 1
    assert health.result.startswith(f"nothing answers at {nobody}/healthz: Sloth is not running, or not reachable")
    assert "sloth run" in health.change
    other = line(stranger, "HTTP side (SLOTH_PUBLIC_URL)")
    assert other.status == "failed" and "with HTTP 404, but not as Sloth does" in other.result


async def test_an_http_redirect_url_with_connect_configured(tmp_path: Path) -> None:
    connect = {"SLOTH_SECRET_KEY": "k" * 32}
    async with Emulator(Workspace.default()) as emu:
        connect.update(SLACK_CLIENT_ID=emu.client_id, SLACK_CLIENT_SECRET=emu.client_secret)
        plain = f"http://127.0.0.1:{free_port()}"
        outcome = await check_workspace(doctor_env(emu, tmp_path, SLOTH_PUBLIC_URL=plain, **connect))
        secure = f"https://127.0.0.1:{free_port()}"
        emu.app_manifest = manifest(registry_for(), public_url="https://old.example.test")
        moved = await check_workspace(doctor_env(emu, tmp_path, SLOTH_PUBLIC_URL=secure,
                                                 SLACK_CONFIG_TOKEN=emu.config_token, **connect))
    redirect = line(outcome, "OAuth redirect URL")
    assert redirect.status == "failed"
    assert redirect.result == (f"{plain}/slack/oauth_redirect is not https: Slack sends browsers back only to "
                               "https redirect URLs")
    assert "sloth manifest --public-url" in redirect.change
    assert line(moved, "OAuth redirect URL").status == "ok"
    registered = line(moved, "redirect URL in the app's settings")
    assert registered.status == "failed"
    assert registered.result == (f"{secure}/slack/oauth_redirect is not among the app's redirect URLs "
                                 "(https://old.example.test/slack/oauth_redirect)")
    assert f"`sloth manifest --public-url {secure}`" in registered.change


async def test_the_app_settings_compared_with_sloth_manifest(tmp_path: Path) -> None:
    async with Emulator(Workspace.default()) as emu:
        wanted = manifest(registry_for(), "/sloth")
        wanted["settings"]["interactivity"]["is_enabled"] = False
        wanted["settings"]["event_subscriptions"]["bot_events"].remove("team_join")
        wanted["features"]["slash_commands"][0]["command"] = "/sloth-dev"
        emu.app_manifest = wanted
        outcome = await check_workspace(doctor_env(emu, tmp_path, SLACK_CONFIG_TOKEN=emu.config_token))
        expired = await check_workspace(doctor_env(emu, tmp_path, SLACK_CONFIG_TOKEN="xoxe.xoxp-1-expired"))
    assert line(outcome, "config token (SLACK_CONFIG_TOKEN)").status == "ok"
    assert line(outcome, "interactivity").result.startswith("off: Slack sends Sloth no button clicks")
    assert line(outcome, "event subscriptions").result == "the app does not subscribe to team_join"
    assert line(outcome, "slash command").result == "/sloth is not among the app's slash commands (/sloth-dev)"
    assert line(outcome, "scopes in the app's settings").status == "ok"
    assert line(outcome, "Socket Mode setting").status == "ok"
    token = line(expired, "config token (SLACK_CONFIG_TOKEN)")
    assert token.status == "failed" and token.result == "Slack refused it (invalid_auth)"
    assert "expire 12 hours" in token.change


async def test_http_mode_checks_the_request_url_as_slack_does(tmp_path: Path) -> None:
    async with Emulator(Workspace.default()) as emu, running_bot(emu, tmp_path / "sloth", transport="http") as sloth:
        public_url = sloth.settings.public_url
        url = f"{public_url}/slack/events"
        emu.app_manifest = manifest(sloth.registry, "/sloth", public_url=public_url, transport="http")
        http = {"SLOTH_TRANSPORT": "http", "SLACK_SIGNING_SECRET": emu.signing_secret, "SLOTH_PUBLIC_URL": public_url}
        env = {k: v for k, v in doctor_env(emu, tmp_path, **http).items() if k != "SLACK_APP_TOKEN"}  # not needed
        outcome = await check_workspace({**env, "SLACK_CONFIG_TOKEN": emu.config_token})
        other_secret = await check_workspace({**env, "SLACK_SIGNING_SECRET": "e" * 32})
        async with running_bot(emu, tmp_path / "socket") as in_socket_mode:
            socket_mode = await check_workspace({**env, "SLOTH_PUBLIC_URL": in_socket_mode.settings.public_url})
    assert line(outcome, "signing secret (SLACK_SIGNING_SECRET)").status == "ok"
    assert line(outcome, "HTTP side (SLOTH_PUBLIC_URL)").result.endswith("running, in HTTP mode")
    assert line(outcome, "Socket Mode setting").result.startswith("off in the app's settings")
    assert line(outcome, "request URLs in the app's settings").result == (
        f"events, interactivity and /sloth all go to {url}")
    assert [line(outcome, name).status for name in ("app token (SLACK_APP_TOKEN)", "Socket Mode", "one app")] == [
        "skipped"] * 3
    # The only failure: a test cannot serve https, and Slack sends requests only there.
    assert failed_names(outcome) == ["Slack's request URL"]
    assert "not https" in line(outcome, "Slack's request URL").result
    assert "runs with another one" in line(other_secret, "signing secret (SLACK_SIGNING_SECRET)").result
    assert "runs in Socket Mode" in line(socket_mode, "signing secret (SLACK_SIGNING_SECRET)").result


async def test_bad_settings_exit_2_with_every_problem(tmp_path: Path) -> None:
    outcome = await check_workspace({"SLACK_APP_TOKEN": "xoxb-in-the-wrong-place", "SLACK_CONFIG_TOKEN": "xoxe-1-abc",
                                     "SLOTH_DATA_DIR": str(tmp_path)})
    assert outcome.code == 2 and not outcome.checks
    text = "\n".join(outcome.problems)
    for variable in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CONFIG_TOKEN is a refresh token"):
        assert variable in text
    outcome = await check_workspace({"SLACK_BOT_TOKEN": "xoxb-1234-abcd", "SLACK_APP_TOKEN": "xapp-1-A1-2-abcd",
                                     "SLACK_CONFIG_TOKEN": "xoxb-1234-abcd"})
    assert outcome.code == 2 and outcome.problems == [
        "SLACK_CONFIG_TOKEN does not look like an app configuration token: it must start with 'xoxe.xoxp-'."]


def console_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SLOTH_")) and "PROXY" not in k.upper()}
    return {**env, "COLUMNS": "400", **extra}  # one line per check


async def run_sloth(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    script = Path(sys.executable).parent / "sloth"
    process = await asyncio.create_subprocess_exec(str(script), *args, env=env, cwd=cwd,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_the_console_script_prints_the_table_and_exits_1(tmp_path: Path) -> None:
    async with Emulator(Workspace.default()) as emu:
        before = [m["ts"] for m in emu.messages("general")]
        env = console_env(**doctor_env(emu, tmp_path))
        code, out, err = await run_sloth(["doctor", "--channel", "#general"], env, tmp_path)
        assert [m["ts"] for m in emu.messages("general")] == before
    assert code == 1, out + err
    rows = {row.split("  ")[0]: row for row in out.splitlines()}
    assert "ok: posted in #general with metadata" in rows["post (chat.postMessage)"]
    assert "ok: came back whole with include_all_metadata=true" in rows["message metadata"]
    assert "FAILED: nothing answers at" in rows["HTTP side (SLOTH_PUBLIC_URL)"]
    assert out.rstrip().endswith("1 failed, 13 passed, 4 not checked.")
    assert "Traceback" not in err and emu.bot_token not in out + err and emu.app_token not in out + err


async def test_the_console_script_exits_2_on_bad_settings(tmp_path: Path) -> None:
    code, out, err = await run_sloth(["doctor"], console_env(SLACK_CONFIG_TOKEN="xoxe-1-refresh"), tmp_path)
    assert code == 2 and not out
    assert "fix these settings" in err and "SLACK_BOT_TOKEN is not set" in err and "refresh token" in err
    assert "Traceback" not in err
