"""A feature's MCP resources (`router.resource`): their URIs and templates, what a URI matches, and
the registry refusing two features that declare the same one."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config.problems import Problems
from bot.features.registry import Feature, Registry
from bot.features.resources import resource_problem
from bot.features.router import Router


async def nothing(ctx: Any, member: str, params: dict[str, str]) -> None:
    return None


def feature(name: str, *uris: str) -> Feature:
    router = Router(name)
    for uri in uris:
        router.resource(uri, uri)(nothing)
    return Feature(router)


def test_a_template_matches_its_uris_one_segment_per_variable() -> None:
    [(declaration, _)] = Registry([feature("runs", "sloth://runs/{run}/metrics")]).resources.values()
    assert declaration.variables == ["run"]
    assert declaration.match("sloth://runs/abc-123/metrics") == {"run": "abc-123"}
    assert declaration.match("sloth://runs/a%2Fb/metrics") == {"run": "a/b"}
    assert declaration.expand({"run": "a/b"}) == "sloth://runs/a%2Fb/metrics"
    for other in ("sloth://runs/a/b/metrics", "sloth://runs//metrics", "sloth://runs/abc/metrics/x",
                  "sloth://runs/abc"):
        assert declaration.match(other) is None, other


def test_uris_that_are_not_uris_or_templates_are_named() -> None:
    assert resource_problem("sloth://runs") is None
    assert resource_problem("runs/{run}") is not None
    assert resource_problem("sloth://runs/{run}/{run}") == "names a variable twice"
    assert resource_problem("sloth://{a}{b}") == "has two variables with nothing between them"
    assert resource_problem("sloth://runs/{run id}") is not None


def test_two_features_declaring_one_uri_are_refused_naming_both() -> None:
    with pytest.raises(Problems) as refused:
        Registry([feature("alpha", "sloth://board"), feature("beta", "sloth://board")])
    assert "The resource 'sloth://board' is declared by two features" in str(refused.value)
    assert "'alpha'" in str(refused.value) and "'beta'" in str(refused.value)
    with pytest.raises(Problems, match="is not a URI"):
        Registry([feature("alpha", "board")])


def test_a_router_refuses_one_uri_twice_and_a_part_brings_its_resources() -> None:
    part, router = Router(), Router("whole")
    part.resource("sloth://a", "A")(nothing)
    with pytest.raises(ValueError, match="declared twice"):
        part.resource("sloth://a", "A again")(nothing)
    router.include(part)
    assert list(router.resources) == ["sloth://a"]
