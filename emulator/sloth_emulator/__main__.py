"""`sloth-emulator` (or `python -m sloth_emulator`, `sloth emulator`): run the emulator on its own and
print how to reach it."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from sloth_emulator.emulator import Emulator
from sloth_emulator.workspace import Workspace


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sloth-emulator", description="Run the Slack emulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3001)
    parser.add_argument("--generated", metavar="USERS,CHANNELS",
                        help="add a synthetic crowd to the default workspace, e.g. 20000,5000")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def build_workspace(args: argparse.Namespace) -> Workspace:
    if not args.generated:
        return Workspace.default()
    users, _, channels = args.generated.partition(",")
    return Workspace.generated(users=int(users), channels=int(channels or 0), seed=args.seed)


async def serve(args: argparse.Namespace) -> None:
    emu = Emulator(build_workspace(args))
    await emu.start(args.host, args.port)
    try:
        ws = emu.workspace
        print(f"Slack emulator for {ws.team.name!r}: {len(ws.users)} users, {len(ws.channels)} channels")
        print(f"  SLACK_API_URL={emu.api_url}")
        print(f"  SLACK_BOT_TOKEN={emu.bot_token}")
        print(f"  SLACK_APP_TOKEN={emu.app_token}")
        print(f"  SLACK_USER_TOKEN={emu.user_token}   # {ws.first_human().name}")
        print(f"  SLACK_CONFIG_TOKEN={emu.config_token}   # for `sloth doctor`")
        print(f"  bot user {emu.bot_user_id}, team {emu.team_id}, app {emu.app_id}", flush=True)
        stop = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        await emu.stop()


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
