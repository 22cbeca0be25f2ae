"""HTTP routes that would answer the same requests: which overlap, and how the registry refuses them."""

from __future__ import annotations

import pytest
from aiohttp import web

from bot.config.problems import Problems
from bot.features.registry import Feature, Registry
from bot.features.router import Router
from bot.features.routes import OWN_ROUTES, own_route, paths_overlap, route_problem, routes_overlap
from bot.http.server import make_web_app
from bot.work.metrics import Metrics


async def answer(ctx: object, request: web.Request) -> web.Response:
    return web.Response()


@pytest.mark.parametrize(("a", "b", "overlap"), [
    ("/healthz", "/healthz", True),
    ("/healthz", "/healthz/", False),
    ("/runs/{id}", "/runs/latest", True),
    ("/runs/{id}", "/runs/{name}", True),
    ("/runs/{id}.csv", "/runs/{id}.pdf", False),
    ("/runs/report-{id}", "/runs/{id}", True),
    ("/runs/{id}/events", "/runs/{id}", False),
    ("/monitor/v1/runs/{run_id}/events", "/monitor/v1/runs/abc/events", True),
    ("/monitor/v1/runs/{run_id}/events", "/monitor/v1/runs/{id}/events", True),
    ("/a/{n:\\d{2}}", "/a/12", True),
    ("/a/{n:\\d{2}}", "/a/123", False),
    ("/files/{tail:.*}", "/files/a/b/c", True),
    ("/files/{tail:.+}", "/files/{year}/{month}", True),
    ("/files/{tail:.*}", "/hooks/{name}", False),
    ("/{anything:.*}", "/healthz", True),
])
def test_paths_that_can_match_one_request_overlap(a: str, b: str, overlap: bool) -> None:
    assert paths_overlap(a, b) is overlap and paths_overlap(b, a) is overlap


def test_methods_overlap_alike_or_through_a_wildcard() -> None:
    assert routes_overlap(("POST", "/x"), ("post", "/x")) and routes_overlap(("*", "/x"), ("DELETE", "/x"))
    assert not routes_overlap(("GET", "/x"), ("POST", "/x"))
    assert own_route("HEAD", "/healthz") == ("GET", "/healthz", "health check")  # aiohttp adds HEAD to it
    assert own_route("POST", "/metrics") is None


def test_sloths_own_routes_are_the_ones_it_serves() -> None:
    async def connected() -> bool:
        return True

    app = make_web_app(Metrics(), connected)
    served = {(r.method, r.resource.canonical) for r in app.router.routes() if r.resource is not None}
    assert served == {(m, p) for m, p, _ in OWN_ROUTES} | {("HEAD", p) for m, p, _ in OWN_ROUTES if m == "GET"}


def test_a_route_aiohttp_would_refuse_is_a_problem() -> None:
    assert route_problem("GET", "hooks") == "is not a path: it must start with '/'"
    assert (route_problem("GET", "/hooks/{name") or "").startswith("is refused by aiohttp")
    assert (route_problem("GE T", "/hooks") or "").startswith("is refused by aiohttp")
    assert route_problem("*", "/hooks/{name}") is None


def feature(name: str, *routes: tuple[str, str], source: str = "SLOTH_FEATURES") -> Feature:
    router = Router(name)
    for method, path in routes:
        router.http(method, path)(answer)
    return Feature(router, source, name)


def test_every_route_clash_is_refused_naming_both_owners() -> None:
    ingest = feature("training", ("POST", "/monitor/v1/runs/{run_id}/events"), source="built-in")
    with pytest.raises(Problems) as caught:
        Registry([ingest,
                  feature("probe", ("GET", "/healthz"), ("HEAD", "/metrics")),
                  feature("relay", ("POST", "/monitor/v1/runs/mine/events"), ("GET", "relay")),
                  feature("hooks", ("POST", "/hooks/{name}")),
                  feature("deploys", ("POST", "/hooks/deploy"), ("GET", "/hooks/deploy")),
                  feature("again", ("POST", "/hooks/{name}"))])
    assert caught.value.problems == [
        "The HTTP route GET /healthz of 'probe' (SLOTH_FEATURES: probe) would answer requests for Sloth's own "
        "health check (GET /healthz): choose another path.",
        "The HTTP route HEAD /metrics of 'probe' (SLOTH_FEATURES: probe) would answer requests for Sloth's own "
        "Prometheus metrics (GET /metrics): choose another path.",
        "The HTTP routes POST /monitor/v1/runs/{run_id}/events of 'training' (built-in: training) and "
        "POST /monitor/v1/runs/mine/events of 'relay' (SLOTH_FEATURES: relay) answer the same requests (only the "
        "first would be served): give one of them another path.",
        "The HTTP route GET relay of 'relay' (SLOTH_FEATURES: relay) is not a path: it must start with '/'.",
        "The HTTP routes POST /hooks/{name} of 'hooks' (SLOTH_FEATURES: hooks) and POST /hooks/deploy of "
        "'deploys' (SLOTH_FEATURES: deploys) answer the same requests (only the first would be served): "
        "give one of them another path.",
        "The HTTP route POST /hooks/{name} is declared by two features: 'hooks' (SLOTH_FEATURES: hooks) and "
        "'again' (SLOTH_FEATURES: again).",
    ]


def test_routes_that_never_meet_load() -> None:
    registry = Registry([feature("a", ("GET", "/hooks/{name}"), ("GET", "/hooks/{name}/log")),
                         feature("b", ("POST", "/hooks/{name}"), ("GET", "/status.json"))])
    assert len(registry.routes) == 4
