"""Every feature's MCP resources (`router.resource`), read as the member the server acts for.

resources/list holds each feature's fixed resources and, for a template, the ones its `listed`
names for this member; resources/templates/list holds the templates. resources/read finds the
declaration whose URI or template the URI matches and runs its handler as the member (the guard
sees them as the asker, as for their Home tab). A resource the member may not see reads exactly
like one that does not exist: the handler answers None for both, and the client gets the same
error either way.
"""

from __future__ import annotations

import base64
import contextlib
import logging
from collections.abc import Iterator

import mcp_types as types
from mcp.shared.exceptions import MCPError

from bot import guard
from bot.features.core import Core
from bot.features.registry import Feature
from bot.features.resources import ResourceDeclaration
from bot.slack.asking import asking
from bot.work import blocking

log = logging.getLogger(__name__)
NOT_FOUND = "Sloth has no resource at this URI that you may see."


async def listed_resources(core: Core, member: str) -> list[types.Resource]:
    found: list[types.Resource] = []
    with _as(core, member):
        for declaration, feature in core.registry.resources.values():
            if not declaration.variables:
                found.append(types.Resource(uri=declaration.uri, name=declaration.name, mime_type=declaration.mime_type,
                                            description=declaration.description or None))
            elif declaration.listed is not None:
                for params, name in await declaration.listed(core.of(feature.name), member):
                    found.append(types.Resource(uri=declaration.expand(params), name=name,
                                                mime_type=declaration.mime_type))
    return found


def resource_templates(core: Core) -> list[types.ResourceTemplate]:
    return [types.ResourceTemplate(uri_template=d.uri, name=d.name, mime_type=d.mime_type,
                                   description=d.description or None)
            for d, _ in core.registry.resources.values() if d.variables]


async def read_resource(core: Core, member: str, uri: str) -> types.ReadResourceResult:
    found = find(core, uri)
    if found is None:
        raise not_found(uri)
    declaration, feature, params = found
    with _as(core, member):
        content = await blocking.call(feature.name, "resource", declaration.handler, core.of(feature.name), member,
                                      params)
    if content is None:
        raise not_found(uri)
    if isinstance(content, bytes):
        blob = base64.b64encode(content).decode("ascii")
        return types.ReadResourceResult(contents=[types.BlobResourceContents(uri=uri, mime_type=declaration.mime_type,
                                                                             blob=blob)])
    return types.ReadResourceResult(contents=[types.TextResourceContents(uri=uri, mime_type=declaration.mime_type,
                                                                         text=str(content))])


def find(core: Core, uri: str) -> tuple[ResourceDeclaration, Feature, dict[str, str]] | None:
    """The declaration `uri` is one of: a fixed URI first, then the first template that matches."""
    fixed = core.registry.resources.get(uri)
    if fixed is not None and not fixed[0].variables:
        return fixed[0], fixed[1], {}
    for declaration, feature in core.registry.resources.values():
        params = declaration.match(uri) if declaration.variables else None
        if params is not None:
            return declaration, feature, params
    return None


def not_found(uri: str) -> MCPError:
    # The SDK's own server answers an unknown resource so (INVALID_PARAMS, with the URI).
    return MCPError(code=types.INVALID_PARAMS, message=NOT_FOUND, data={"uri": uri})


@contextlib.contextmanager
def _as(core: Core, member: str) -> Iterator[None]:
    """The member's request: the guard sees them as the asker, Web API calls keep to what they may see."""
    with guard.handling(guard.Scope(asker=member, name_of=core.directory.display_name)), asking(member, ""):
        yield
