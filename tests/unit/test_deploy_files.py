"""The deployment files (deploy/): every Kubernetes manifest valid against the Kubernetes schemas
(kubernetes-validate carries them: nothing is downloaded), and both the manifests and
deploy/compose.yaml in step with Sloth itself: every variable they set is one Sloth reads and
their settings load without a problem, probes ask Sloth's own health paths, selectors find the
pods, the commands are Sloth's, the grace periods outlast Sloth's drains."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from dotenv import dotenv_values

from bot.cli import main as sloth
from bot.config.settings import CORE_VARIABLES, read_settings
from bot.features.routes import OWN_ROUTES
from bot.testing import registry_for
from bot.worker.lifecycle import GRACE

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
KUBERNETES = sorted((DEPLOY / "kubernetes").glob("*.yaml"))
VERSIONS = ("1.29", "1.33")  # an old cluster still common, and a recent one
TOKENS = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_APP_TOKEN": "xapp-1-A1-2-abc",
          "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5", "SLOTH_SECRET_KEY": "k" * 43}


def resources() -> list[dict[str, Any]]:
    return [doc for path in KUBERNETES for doc in yaml.safe_load_all(path.read_text()) if doc]


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [r for r in resources() if r["kind"] == kind]


def named(kind: str, name: str) -> dict[str, Any]:
    [found] = [r for r in of_kind(kind) if r["metadata"]["name"] == name]
    return found


def known_variables() -> set[str]:
    """What Sloth reads: its core settings and those of every built-in feature."""
    return set(CORE_VARIABLES) | {setting.variable(feature.name) for feature in registry_for().features
                                  for setting in feature.settings}


def own_get_paths() -> set[str]:
    return {path for method, path, _ in OWN_ROUTES if method == "GET"}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("path", KUBERNETES, ids=lambda p: p.name)
def test_every_manifest_is_valid_against_the_kubernetes_schemas(path: Path, version: str) -> None:
    docs = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    assert docs
    for doc in docs:
        # strict: a field the schema does not know (a typo, a misplaced key) is an error too; a
        # kind without a schema raises SchemaNotFoundError rather than passing unchecked.
        kubernetes_validate.validate(doc, version, strict=True)


def test_the_validator_refuses_what_a_cluster_would() -> None:
    deployment = named("Deployment", "sloth")
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, VERSIONS[-1], strict=True)
    misplaced = {**deployment, "spec": {**deployment["spec"], "livenessProbe": {}}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(misplaced, VERSIONS[-1], strict=True)


def test_replicas_and_workers_run_sloth_with_its_probes_and_requests() -> None:
    replica, worker = named("Deployment", "sloth"), named("Deployment", "sloth-worker")
    assert replica["spec"]["replicas"] >= 2
    for deployment, command in ((replica, ["sloth", "run"]), (worker, ["sloth", "worker"])):
        pod = deployment["spec"]["template"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
        [container] = pod["spec"]["containers"]
        assert container["args"] == command
        assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert {"/livez", "/readyz"} <= own_get_paths()
        assert container["resources"]["requests"]["cpu"] and container["resources"]["requests"]["memory"]
        assert pod["spec"]["securityContext"]["runAsUser"] == 10001  # the Dockerfile's user
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports["http"] == int(named("ConfigMap", "sloth-settings")["data"]["SLOTH_HTTP_PORT"])
        assert {source.get("configMapRef", source.get("secretRef", {}))["name"]
                for source in container["envFrom"]} == {"sloth-settings", "sloth-tokens"}
    # Longer than Sloth's drain of acked work, and than a worker's grace for its jobs.
    assert replica["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > 10
    assert worker["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > GRACE


def test_budgets_services_and_the_ingress_find_what_they_name() -> None:
    pods = {d["metadata"]["name"]: d["spec"]["template"]["metadata"]["labels"] for d in of_kind("Deployment")}
    for budget, deployment in (("sloth", "sloth"), ("sloth-worker", "sloth-worker")):
        selector = named("PodDisruptionBudget", budget)["spec"]["selector"]["matchLabels"]
        assert [name for name, labels in pods.items() if selector.items() <= labels.items()] == [deployment]
    service = named("Service", "sloth")
    assert [name for name, labels in pods.items() if service["spec"]["selector"].items() <= labels.items()] == ["sloth"]
    served = [path["path"] for rule in named("Ingress", "sloth")["spec"]["rules"] for path in rule["http"]["paths"]]
    # Every route Slack, browsers and training runs call, and none of the probes or metrics.
    routes = ["/slack/events", *(path for _, path in registry_for().routes)]
    assert all(any(route.startswith(prefix) for prefix in served) for route in routes), (routes, served)
    assert not any(path.startswith(prefix) for path in ("/livez", "/readyz", "/healthz", "/metrics")
                   for prefix in served)
    redis = named("Service", "sloth-redis")
    assert named("ConfigMap", "sloth-settings")["data"]["SLOTH_STORE_URL"].startswith(
        f"redis://{redis['metadata']['name']}:{redis['spec']['ports'][0]['port']}/")


def test_the_manifests_settings_are_sloths_and_load() -> None:
    data = named("ConfigMap", "sloth-settings")["data"]
    secret = named("Secret", "sloth-tokens")["stringData"]
    worker_env = {e["name"]: e["value"] for e in named("Deployment", "sloth-worker")["spec"]["template"]["spec"]
                  ["containers"][0]["env"]}
    assert set(data) | set(secret) | set(worker_env) <= known_variables()
    assert not any(secret.values())  # placeholders only: tokens never live in the repository
    for transport in ("socket", "http"):
        problems: list[str] = []
        assert read_settings({**data, **TOKENS, **worker_env, "SLOTH_TRANSPORT": transport}, problems), problems
        assert problems == []


def compose() -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return found


def test_compose_runs_two_replicas_a_worker_and_redis() -> None:
    services = compose()["services"]
    assert services["sloth"]["deploy"]["replicas"] == 2
    assert services["sloth"]["command"] == ["sloth", "run"] and services["worker"]["command"] == ["sloth", "worker"]
    for name in ("sloth", "worker"):
        service = services[name]
        assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        assert service["env_file"] == ".env"
        assert service["environment"]["SLOTH_STORE_URL"].startswith("redis://redis:6379/")
        probed = re.findall(r"http://127\.0\.0\.1:(\d+)(/\w+)", " ".join(service["healthcheck"]["test"]))
        assert probed == [("8080", "/readyz")]  # the Dockerfile's SLOTH_HTTP_PORT, Sloth's readiness path
        assert set(service["environment"]) <= known_variables()
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "8080:8080" in services["balancer"]["ports"] and services["balancer"]["profiles"] == ["http"]


def test_the_balancer_sends_slack_and_the_pages_to_the_replicas_and_keeps_probes_inside() -> None:
    conf = (DEPLOY / "nginx.conf").read_text()
    assert re.search(r"location = /slack/events \{[^}]*proxy_pass \$sloth;", conf)
    assert "set $sloth http://sloth:8080;" in conf
    hidden = re.search(r"location ~ \^/\(([\w|]+)\)\$ \{\s*return 404;", conf)
    assert hidden is not None and set(hidden[1].split("|")) == {"livez", "readyz", "healthz", "metrics"}


def test_the_env_example_names_only_sloths_variables_and_loads_once_filled() -> None:
    example = {k: v or "" for k, v in dotenv_values(DEPLOY / ".env.example").items()}
    offered = re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", (DEPLOY / ".env.example").read_text(), re.MULTILINE)
    assert set(example) <= set(offered) <= known_variables()  # those set, and those shown commented out
    assert all("your" in example[name] for name in TOKENS if example.get(name))  # placeholders only
    environment = compose()["services"]["sloth"]["environment"]
    problems: list[str] = []
    assert read_settings({**example, **environment, **TOKENS}, problems), problems
    assert problems == []
    assert not (DEPLOY / ".env").exists() or ".env" in (DEPLOY.parent / ".gitignore").read_text().split()


MANY = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "client-secret", "SLACK_SIGNING_SECRET": "s" * 32,
        "SLOTH_SECRET_KEY": "k" * 43}


def commented(text: str, pattern: str) -> dict[str, str]:
    """The settings a file shows commented out (`# NAME=value`, `# NAME: "value"`), as set."""
    return dict(re.findall(pattern, text, re.MULTILINE))


def test_the_env_example_sets_up_replicas_and_workers_for_many_workspaces() -> None:
    text = (DEPLOY / ".env.example").read_text()
    block = text[text.index("# Many workspaces"):]
    block = block[:block.index("\n\n")]
    shown = commented(block, r"^# ([A-Z][A-Z0-9_]+)=(.*)$")
    assert shown.keys() == {"SLOTH_WORKSPACES", "SLOTH_TRANSPORT", "SLACK_SIGNING_SECRET"} and "worker" in block
    example = {k: v or "" for k, v in dotenv_values(DEPLOY / ".env.example").items()
               if k not in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")}  # what the block says to leave out
    for service in ("sloth", "worker"):  # one env_file for both
        environment = compose()["services"][service]["environment"]
        problems: list[str] = []
        settings = read_settings({**example, **shown, **environment, **MANY}, problems)
        assert problems == [] and settings is not None and settings.workspaces == "many"
    assert "SLOTH_WORKSPACES=many" in (DEPLOY / "compose.yaml").read_text()


def test_the_manifests_set_up_replicas_and_workers_for_many_workspaces() -> None:
    data = named("ConfigMap", "sloth-settings")["data"]
    shown = commented((DEPLOY / "kubernetes" / "config.yaml").read_text(), r'^  # ([A-Z][A-Z0-9_]+): "(.*)"')
    assert shown.keys() == {"SLOTH_WORKSPACES", "SLACK_CLIENT_ID"}
    secret = named("Secret", "sloth-tokens")["stringData"]
    assert {"SLACK_CLIENT_SECRET", "SLACK_SIGNING_SECRET", "SLOTH_SECRET_KEY"} <= set(secret)
    worker_env = {e["name"]: e["value"] for e in named("Deployment", "sloth-worker")["spec"]["template"]["spec"]
                  ["containers"][0]["env"]}
    filled = {name: MANY.get(name, "") for name in secret}  # the bot and app tokens left empty
    for extra in ({}, worker_env):  # a replica, a worker: the same ConfigMap and Secret
        problems: list[str] = []
        settings = read_settings({**data, **shown, "SLOTH_TRANSPORT": "http", **filled, **extra}, problems)
        assert problems == [] and settings is not None and settings.workspaces == "many"


def test_the_commands_the_files_run_are_sloths(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        sloth(["--help"])
    listed = capsys.readouterr().out
    assert re.search(r"\{[^}]*\brun\b[^}]*\}", listed) and re.search(r"\{[^}]*\bworker\b[^}]*\}", listed)
