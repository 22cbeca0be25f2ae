"""`sloth run | worker | doctor | sandbox | manifest | features | emulator`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
from pathlib import Path

from bot.config.problems import Problems
from bot.config.settings import Settings, environment
from bot.features.loader import feature_table, load_features
from bot.features.registry import Registry
from bot.runtime import logs
from bot.runtime.configure import configure

log = logging.getLogger("sloth")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sloth", description="Sloth, a Slack bot service.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the service against Slack (configured from the environment / .env)")
    sub.add_parser("worker", help="run the job queue's charts, exports, pictures and moves for every replica "
                   "sharing a Redis store (SLOTH_STORE_URL=redis://…); run as many as the work needs")
    doctor = sub.add_parser("doctor", help="check the tokens, scopes, Socket Mode, a channel and the HTTP side "
                            "against your real workspace, with the settings of `sloth run`")
    doctor.add_argument("--channel", metavar="CHANNEL",
                        help="post, edit, read back, upload and delete a test message and file in this channel "
                        "(#name or ID)")
    sandbox = sub.add_parser("sandbox", help="try Sloth offline against the built-in Slack emulator")
    sandbox.add_argument("--generated", metavar="USERS,CHANNELS", help="use a generated workspace of that size")
    sandbox.add_argument("--files-dir", metavar="DIR", type=Path,
                         help="the folder `share` uploads from (default: a sample folder)")
    sandbox.add_argument("--web", action="store_true", help="show the workspace in your browser, laid out as Slack")
    sandbox.add_argument("--port", type=int, default=3030, help="the web page's port on 127.0.0.1 (0: any free one)")
    manifest = sub.add_parser("manifest", help="print the Slack app manifest (YAML) of the loaded features")
    manifest.add_argument("--command", dest="command_", default="/sloth", help="slash command to declare")
    manifest.add_argument("--public-url", default=None,
                          help="the address of Sloth's HTTP side: where Slack sends members back after `connect` "
                          "and, in HTTP mode, its requests (default: SLOTH_PUBLIC_URL)")
    manifest.add_argument("--transport", choices=("socket", "http"), default=None,
                          help="Socket Mode, or HTTP requests to <public url>/slack/events (default: SLOTH_TRANSPORT, "
                          "else socket)")
    sub.add_parser("features", help="list the loaded features: commands, scopes, settings, where they come from")
    sub.add_parser("mcp", help="Sloth's MCP server over stdio, relayed to a running Sloth (SLOTH_MCP_URL) as the "
                   "member whose token SLOTH_MCP_TOKEN is")
    emulator = sub.add_parser("emulator", help="run the Slack emulator on its own")
    emulator.add_argument("--port", type=int, default=3001)
    emulator.add_argument("--generated", metavar="USERS,CHANNELS")
    args = parser.parse_args(argv)

    try:
        if args.command == "manifest":
            return print_manifest(args.command_, args.public_url, args.transport)
        if args.command == "features":
            return print_features()
    except Problems as e:
        return refuse(e.problems)
    if args.command == "doctor":
        from bot.doctor import main as doctor_main

        return doctor_main(environment(), args.channel)
    if args.command == "sandbox":
        from bot.sandbox import run_sandbox

        return run_sandbox(args.generated, args.files_dir, args.port if args.web else None)
    if args.command == "emulator":
        from sloth_emulator.__main__ import main as emulator_main

        emulator_main(["--port", str(args.port), *(["--generated", args.generated] if args.generated else [])])
        return 0
    if args.command == "worker":
        return run_worker()
    if args.command == "mcp":
        from bot.agent.mcp_stdio import run_stdio

        return run_stdio()
    return run()


def refuse(problems: list[str]) -> int:
    """One message listing every problem, no traceback; exit code 2."""
    print("Sloth cannot start; fix these settings:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return 2


def print_manifest(command: str, public_url: str | None, transport: str | None) -> int:
    from bot.features.manifest import PLACEHOLDER_URL, manifest_yaml

    env = environment()
    transport = transport or env.get("SLOTH_TRANSPORT", "").strip().lower() or "socket"
    if transport not in ("socket", "http"):
        return refuse([f"SLOTH_TRANSPORT must be 'socket' or 'http', not {transport[:20]!r}."])
    public_url = (public_url or env.get("SLOTH_PUBLIC_URL", "")).strip().rstrip("/") or None
    if transport == "http" and public_url is None:
        return refuse(["HTTP mode: the manifest names the URL Slack sends requests to, <public url>/slack/events. "
                       "Set SLOTH_PUBLIC_URL (or pass --public-url) to the https address of Sloth's HTTP side."])
    registry = load_features(env, check_settings=False)
    agent = bool(env.get("SLOTH_MODEL", "").strip())  # an agent in the Messages tab (bot.agent)
    sys.stdout.write(manifest_yaml(registry, command, public_url or PLACEHOLDER_URL, transport, agent))
    return 0


def print_features() -> int:
    sys.stdout.write(feature_table(load_features(environment(), check_settings=False), environment()))
    return 0


def run() -> int:
    try:
        settings, registry = configure(environment())
    except Problems as e:
        return refuse(e.problems)
    logs.configure(settings.log_level, settings.log_format, settings.log_message_text)
    return asyncio.run(serve(settings, registry))


def run_worker() -> int:
    try:
        settings, registry = configure(environment())
    except Problems as e:
        return refuse(e.problems)
    logs.configure(settings.log_level, settings.log_format, settings.log_message_text)
    return asyncio.run(serve_worker(settings, registry))


async def serve_worker(settings: Settings, registry: Registry) -> int:
    from bot.worker.lifecycle import Worker, WorkerError

    worker = Worker(settings, registry)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, worker.request_stop)
    try:
        async with worker:
            code = await worker.wait()
        return code
    except WorkerError as e:
        log.error("%s", e)
        return 1


def quiet_garbage_collector() -> None:
    """Keep the garbage collector from pausing the event loop (and acks) for tens of ms.

    Everything loaded so far (libraries, settings, the started runtime) lives as long as the
    process: frozen, the collector's full passes stop rescanning it. And a page of Slack JSON
    (a thousand messages, some 30,000 dicts and lists) is freed as soon as it has been read: with
    a young generation larger than a page, it is no longer collected, and so promoted to the old
    generation, halfway through being parsed. Measured with bench/ack_under_load.py.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 10, 10)


async def serve(settings: Settings, registry: Registry) -> int:
    from bot.runtime.lifecycle import FatalError, Runtime

    runtime = Runtime(settings, registry)
    loop = asyncio.get_running_loop()
    # Installed before start-up, so a SIGTERM that arrives while connecting still drains cleanly.
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, runtime.request_stop)
    try:
        async with runtime:
            quiet_garbage_collector()
            if settings.workspaces == "many":
                log.info("Sloth is running in %d installed workspaces with %d features (install more at %s)",
                         len(runtime.workspaces.served), len(registry.features) - 1,
                         f"{runtime.settings.public_url}/slack/install")
            else:
                log.info("Sloth is running as %s in %s with %d features", runtime.ctx.identity.bot_user_id,
                         runtime.ctx.identity.team_name, len(registry.features) - 1)
            code = await runtime.wait()
            if runtime.fatal:
                log.error("%s", runtime.fatal)
            else:
                log.info("stopping: finishing in-flight work")
        return code
    except FatalError as e:
        log.error("%s", e)
        return 1
