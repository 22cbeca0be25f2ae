"""What a feature offers an MCP client to read (`router.resource`): resources named by URI templates,
read for one member at a time. Plain data, no MCP: the server (`bot.agent.mcp_server`) serves them.

    @router.resource("sloth://runs/{run}", "Training run", mime_type="application/json",
                     listed=visible_runs)
    async def run_status(ctx: Context, member: str, params: dict[str, str]) -> str | bytes | None: ...

The handler reads the resource as `member` would see it: its text (or bytes, for an image), or
None when there is none by that name *that this member may see*, so a private one reads exactly
like one that does not exist. `listed(ctx, member)` names the resources of a template the member
may see now, for the client's list: [(params, name), ...]. A URI without `{…}` is one resource,
always listed.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

if TYPE_CHECKING:
    from bot.features.context import Context

ResourceHandler = Callable[["Context", str, dict[str, str]], "Awaitable[str | bytes | None] | str | bytes | None"]
Listed = Callable[["Context", str], Awaitable[list[tuple[dict[str, str], str]]]]
# A URI template: a scheme, then literals and simple `{name}` variables (RFC 6570, level 1).
URI_TEMPLATE = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^{}\s]|\{[A-Za-z0-9_]+\})+$")
VARIABLE = re.compile(r"\{([A-Za-z0-9_]+)\}")


@dataclass(frozen=True)
class ResourceDeclaration:
    uri: str  # the URI, or a template of them: "sloth://runs/{run}"
    name: str
    handler: ResourceHandler
    mime_type: str = "text/plain"
    description: str = ""
    listed: Listed | None = None

    @property
    def variables(self) -> list[str]:
        return VARIABLE.findall(self.uri)

    def expand(self, params: dict[str, str]) -> str:
        return VARIABLE.sub(lambda m: quote(params[m.group(1)], safe=""), self.uri)

    def match(self, uri: str) -> dict[str, str] | None:
        """The variables of `uri` if it is one of this template's, each one path segment."""
        pattern = "".join(f"(?P<{part}>[^/?#]+)" if n % 2 else re.escape(part)
                          for n, part in enumerate(VARIABLE.split(self.uri)))
        found = re.fullmatch(pattern, uri)
        return {k: unquote(v) for k, v in found.groupdict().items()} if found else None


def resource_problem(uri: str) -> str | None:
    if not URI_TEMPLATE.match(uri):
        return "is not a URI or URI template (`scheme://path`, variables as `{name}`)"
    names = VARIABLE.findall(uri)
    if len(names) != len(set(names)):
        return "names a variable twice"
    if re.search(r"\}\{", uri):
        return "has two variables with nothing between them"
    return None
