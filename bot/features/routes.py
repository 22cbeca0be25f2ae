"""Which requests an HTTP route answers, so that two routes answering the same ones are refused.

aiohttp answers a request with the first route that matches it: of two routes that match the
same request (`/healthz` twice, `/runs/{id}` and `/runs/latest`), the later one is silently
never served for it. Paths use aiohttp's grammar: literal text, `{name}` (one segment) and
`{name:regex}`. Two routes overlap when their methods do and some path matches both:

- a literal path against another route: does the other's pattern match it (aiohttp decides);
- two patterns: segment by segment, each pair able to match one same segment; a variable
  whose regex can match `/` spans segments and overlaps anything under its literal prefix.

Two variables are taken to overlap unless literal text around them tells them apart
(`{id}.csv` and `{id}.pdf` do not): a clash may be reported for two regexes that never meet,
never missed for two that do.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

# Sloth's own routes, served by bot.http.server.make_web_app (aiohttp adds HEAD to each GET).
OWN_ROUTES: tuple[tuple[str, str, str], ...] = (
    ("GET", "/healthz", "health check"),
    ("GET", "/livez", "liveness check"),
    ("GET", "/metrics", "Prometheus metrics"),
    ("GET", "/readyz", "readiness check"),
    ("POST", "/slack/events", "Slack's requests in HTTP mode"),
)
_VARIABLE = re.compile(r"\{[_a-zA-Z][_a-zA-Z0-9]*(?::(?P<re>.+))?\}")
_SLASHED = ("/", "a/b", "1/2", "a/", "/a", "a.b/c-d_e")


def route_problem(method: str, path: str) -> str | None:
    """Why aiohttp would refuse this route, or None."""
    from aiohttp import web  # loading features need not pull in the server unless a route is declared

    if not path.startswith("/"):
        return "is not a path: it must start with '/'"
    try:
        web.UrlDispatcher().add_route(method, path, _unused)
    except ValueError as e:
        return f"is refused by aiohttp: {e}"
    return None


async def _unused(request: web.Request) -> web.StreamResponse:
    raise NotImplementedError  # never called: the dispatcher only checks the route


def methods_overlap(a: str, b: str) -> bool:
    a, b = a.upper(), b.upper()
    return a == b or "*" in (a, b)


def own_route(method: str, path: str) -> tuple[str, str, str] | None:
    """The route of Sloth's own that (method, path) would answer requests of, if any."""
    for own in OWN_ROUTES:
        served = (own[0], "HEAD") if own[0] == "GET" else (own[0],)
        if any(methods_overlap(method, m) for m in served) and paths_overlap(path, own[1]):
            return own
    return None


def routes_overlap(a: tuple[str, str], b: tuple[str, str]) -> bool:
    return methods_overlap(a[0], b[0]) and paths_overlap(a[1], b[1])


def paths_overlap(a: str, b: str) -> bool:
    if a == b:
        return True
    if not _dynamic(a) or not _dynamic(b):
        literal, other = (a, b) if not _dynamic(a) else (b, a)
        return _matches(other, literal)
    if _spans(a) or _spans(b):
        pa, pb = _prefix(a), _prefix(b)
        return pa.startswith(pb) or pb.startswith(pa)
    sa, sb = _segments(a), _segments(b)
    return len(sa) == len(sb) and all(_segments_overlap(x, y) for x, y in zip(sa, sb, strict=True))


def _dynamic(path: str) -> bool:
    return "{" in path or "}" in path


def _matches(pattern_path: str, literal: str) -> bool:
    from aiohttp import web

    if not _dynamic(pattern_path):
        return pattern_path == literal
    return web.DynamicResource(pattern_path).get_info()["pattern"].fullmatch(literal) is not None


def _spans(path: str) -> bool:
    """True if a variable's regex could match a `/` (and so span segments)."""
    for variable in _VARIABLE.finditer(path):
        regex = variable.group("re")
        if regex and ("/" in regex or any(re.fullmatch(regex, probe) for probe in _SLASHED)):
            return True
    return False


def _prefix(path: str) -> str:
    return path.split("{", 1)[0]


def _segments(path: str) -> list[str]:
    """`path` split at the slashes outside variables."""
    parts, depth, current = [], 0, ""
    for char in path:
        depth += (char == "{") - (char == "}")
        if char == "/" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _segments_overlap(a: str, b: str) -> bool:
    if not _dynamic(a) or not _dynamic(b):
        literal, other = (a, b) if not _dynamic(a) else (b, a)
        return _matches("/" + other, "/" + literal)
    # Two variables: apart only if the literal text before or after them differs.
    before_a, before_b = a.split("{", 1)[0], b.split("{", 1)[0]
    after_a, after_b = a.rsplit("}", 1)[-1], b.rsplit("}", 1)[-1]
    return ((before_a.startswith(before_b) or before_b.startswith(before_a))
            and (after_a.endswith(after_b) or after_b.endswith(after_a)))
