"""A team's feature whose HTTP route would answer requests Sloth or another feature answers stops
`sloth run` with exit 2 and one message naming both owners (a real process, this checkout's code)."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.e2e.processes import ROOT, SHAPED_TOKENS, problems, run, sloth_env

ROUTES = '''
from aiohttp import web
from bot.api import Router

router = Router("{name}")


@router.http("{method}", "{path}")
async def route(ctx, request):
    return web.Response(text="{name}")
'''
FEATURES = {
    "probe": ("GET", "/healthz"),
    "scraper": ("GET", "/metrics"),
    "installer": ("GET", "/slack/install"),
    "relay": ("POST", "/monitor/v1/runs/{run}/events"),
    "hooks": ("POST", "/hooks/{name}"),
    "deploys": ("POST", "/hooks/deploy"),
}
SAID = [
    "The HTTP route GET /healthz of 'probe' (SLOTH_FEATURES: probe) would answer requests for Sloth's own "
    "health check (GET /healthz): choose another path.",
    "The HTTP route GET /metrics of 'scraper' (SLOTH_FEATURES: scraper) would answer requests for Sloth's own "
    "Prometheus metrics (GET /metrics): choose another path.",
    "The HTTP route GET /slack/install is declared by two features: 'connect' (built-in: bot.connect.feature) and "
    "'installer' (SLOTH_FEATURES: installer).",
    "The HTTP routes POST /monitor/v1/runs/{run_id}/events of 'training' (built-in: handlers.training.feature) "
    "and POST /monitor/v1/runs/{run}/events of 'relay' (SLOTH_FEATURES: relay) answer the same requests (only "
    "the first would be served): give one of them another path.",
    "The HTTP routes POST /hooks/{name} of 'hooks' (SLOTH_FEATURES: hooks) and POST /hooks/deploy of 'deploys' "
    "(SLOTH_FEATURES: deploys) answer the same requests (only the first would be served): give one of them "
    "another path.",
]
# `sloth run` from this checkout (the installed `sloth` script may run another copy of Sloth).
SLOTH_HERE = [sys.executable, "-c", "import sys; from sloth_bot import main; sys.exit(main())"]


def test_routes_that_clash_stop_sloth_with_exit_2_and_one_message(tmp_path: Path) -> None:
    team = tmp_path / "team"
    team.mkdir()
    for name, (method, path) in FEATURES.items():
        (team / f"{name}.py").write_text(ROUTES.replace("{name}", name).replace("{method}", method)
                                         .replace("{path}", path))
    env = sloth_env(tmp_path / "data", **SHAPED_TOKENS, SLOTH_FEATURES=",".join(FEATURES), PYTHONPATH=str(ROOT))
    result = run([*SLOTH_HERE, "run"], env, team)
    assert result.returncode == 2, result.stderr
    assert problems(result.stderr) == SAID
    assert "Traceback" not in result.stderr and result.stdout == ""
