"""Static checks of the docker-compose deployment files.

Docker cannot run in CI, so these tests parse docker-compose.yml, Dockerfile, .env.example and
.dockerignore and check that they agree with each other and with what the app expects.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from pytest_httpserver import HTTPServer

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_PATH = ROOT / "docker-compose.yml"
DOCKERFILE_PATH = ROOT / "Dockerfile"
ENV_EXAMPLE_PATH = ROOT / ".env.example"
DOCKERIGNORE_PATH = ROOT / ".dockerignore"
DEPLOY_DOC_PATH = ROOT / "docs" / "DEPLOY.md"

INFRA_SERVICES = ("redis", "postgres")
APP_SERVICES = ("worker", "api", "dashboard")
ALL_SERVICES = (*INFRA_SERVICES, *APP_SERVICES)

# Settings the app reads from the environment; every one must be in .env.example.
REQUIRED_SETTINGS = (
    "RADAR_HOME",
    "RADAR_DATABASE_URL",
    "RADAR_REDIS_URL",
    "RADAR_FETCH_ALLOW_PRIVATE",
    "RADAR_LOG_FORMAT",
    "RADAR_ANALYSIS_WINDOW_DAYS",
    "RADAR_EMBEDDING_MODEL",
    "RADAR_API_RATE_LIMIT",
    "RADAR_DASHBOARD_AUTH",
    "RADAR_SLACK_WEBHOOK_URL",
    "RADAR_API_URL",
)

TORCH_PIN = "torch==2.13.0"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}, ${VAR:+alt}, ${VAR+alt}; "$${...}" is an
# escaped literal for the container's shell and is not interpolated by compose.
_COMPOSE_VAR = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}")
_BARE_COMPOSE_VAR = re.compile(r"(?<!\$)\$([A-Za-z_][A-Za-z0-9_]*)")
_ENV_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_URL = re.compile(r"https?://[^\s'\"]+")


# --------------------------------------------------------------------------- helpers


def compose_variables(text: str) -> set[str]:
    """Names of the variables that compose interpolates in ``text``."""
    return {match.group(1) for match in _COMPOSE_VAR.finditer(text)}


def interpolate(value: str, env: dict[str, str]) -> str:
    """Resolve ``${VAR}`` / ``${VAR:-default}`` the way compose does, from ``env``."""

    def replace(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        current = env.get(name)
        if op in (":-", "-"):
            if current is None or (op == ":-" and current == ""):
                return arg
            return current
        return current or ""

    return _COMPOSE_VAR.sub(replace, value).replace("$$", "$")


def parse_env_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines of a .env file; fails on duplicate keys or lines that are neither."""
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _ENV_LINE.match(line)
        assert match, f".env line {number} is not KEY=VALUE: {raw!r}"
        key, value = match.groups()
        assert key not in values, f".env key {key} is set twice (line {number})"
        values[key] = value
    return values


def undocumented_keys(text: str, prefix: str = "RADAR_") -> list[str]:
    """Keys starting with ``prefix`` whose line is not directly below a comment line."""
    missing = []
    previous = ""
    for raw in text.splitlines():
        line = raw.strip()
        match = _ENV_LINE.match(line)
        if (
            match
            and match.group(1).startswith(prefix)
            and not (previous.startswith("#") and previous.lstrip("#").strip())
        ):
            missing.append(match.group(1))
        previous = line
    return missing


def uncommented(text: str) -> str:
    """``text`` with commented-out settings (``#RADAR_X=default``) turned into active lines."""
    return re.sub(r"(?m)^#\s?(RADAR_[A-Z0-9_]+=)", r"\1", text)


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1].rstrip() + " "
            continue
        logical = (pending + stripped).strip()
        pending = ""
        if logical:
            keyword, _, args = logical.partition(" ")
            instructions.append((keyword.upper(), args.strip()))
    assert not pending, "Dockerfile ends inside a line continuation"
    return instructions


def final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    starts = [i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    assert starts, "Dockerfile has no FROM"
    return instructions[starts[-1] :]


def dockerfile_env(stage: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, args in stage:
        if keyword != "ENV":
            continue
        for token in shlex.split(args):
            key, sep, value = token.partition("=")
            assert sep, f"use ENV key=value form: {args!r}"
            env[key] = value
    return env


def command_text(command: Any) -> str:
    """A compose or Dockerfile command (list or string) as one string."""
    if isinstance(command, list):
        return " ".join(str(part) for part in command)
    return str(command or "")


def option_value(command: str, option: str) -> str | None:
    tokens = shlex.split(command)
    for i, token in enumerate(tokens):
        if token == option and i + 1 < len(tokens):
            return tokens[i + 1]
        if token.startswith(option + "="):
            return token.split("=", 1)[1]
    return None


def container_ports(service: dict[str, Any], env: dict[str, str]) -> list[int]:
    ports = []
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            ports.append(int(entry["target"]))
        else:
            target = interpolate(str(entry), env).rsplit(":", 1)[-1].split("/")[0]
            ports.append(int(target))
    return ports


def published_ports(service: dict[str, Any], env: dict[str, str]) -> list[tuple[str, int, int]]:
    """(host address, host port, container port) of each published port, env interpolated."""
    published = []
    for entry in service.get("ports", []):
        parts = interpolate(str(entry), env).split("/")[0].split(":")
        assert len(parts) == 3, f"publish with an explicit host address: {entry!r}"
        published.append((parts[0], int(parts[1]), int(parts[2])))
    return published


def healthcheck_test(service: dict[str, Any]) -> str:
    check = service.get("healthcheck") or {}
    return command_text(check.get("test"))


def healthcheck_url(test: str) -> str:
    urls: list[str] = _URL.findall(test)
    assert len(urls) == 1, f"expected one URL in healthcheck {test!r}"
    return urls[0]


def named_volume_mounts(service: dict[str, Any]) -> dict[str, str]:
    """container path -> named volume for each named-volume mount of a service."""
    mounts = {}
    for entry in service.get("volumes", []):
        if isinstance(entry, dict):
            if entry.get("type", "volume") == "volume" and entry.get("source"):
                mounts[entry["target"]] = entry["source"]
            continue
        source, _, rest = str(entry).partition(":")
        target = rest.split(":")[0]
        if target and not source.startswith((".", "/", "~", "$")):
            mounts[target] = source
    return mounts


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def compose_text() -> str:
    return COMPOSE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose(compose_text: str) -> dict[str, Any]:
    data = yaml.safe_load(compose_text)
    assert isinstance(data, dict), "docker-compose.yml is not a mapping"
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = compose.get("services")
    assert isinstance(found, dict), "docker-compose.yml has no services mapping"
    return found


@pytest.fixture(scope="module")
def env_example_text() -> str:
    return ENV_EXAMPLE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def env_example(env_example_text: str) -> dict[str, str]:
    return parse_env_file(env_example_text)


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return dockerfile_instructions(DOCKERFILE_PATH.read_text(encoding="utf-8"))


def app_env(service: dict[str, Any], env_example: dict[str, str]) -> dict[str, str]:
    """What an app container sees: the env_file (.env, i.e. .env.example's keys) overridden by environment."""
    seen = dict(env_example) if ".env" in env_files(service) else {}
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    seen.update({key: interpolate(str(value), env_example) for key, value in environment.items()})
    return seen


def env_files(service: dict[str, Any]) -> list[str]:
    value = service.get("env_file")
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [item["path"] if isinstance(item, dict) else str(item) for item in items]


# --------------------------------------------------------------------------- helper self-checks


def test_compose_variables_skip_escaped_dollars() -> None:
    text = 'a: "${FOO:-x}:${BAR}" \nb: "$${NOT_ME} ${BAZ?required}"'
    assert compose_variables(text) == {"FOO", "BAR", "BAZ"}
    env = {"BAR": "b", "EMPTY": ""}
    assert interpolate("${FOO:-1}:${BAR-2}:${EMPTY:-3}:$${KEEP}", env) == "1:b:3:${KEEP}"


def test_undocumented_keys_finds_keys_without_comment() -> None:
    text = "# documented\nRADAR_A=1\nRADAR_B=2\n\nRADAR_C=3\n#\nRADAR_D=4\nOTHER=5\n"
    assert undocumented_keys(text) == ["RADAR_B", "RADAR_C", "RADAR_D"]


def test_uncommented_turns_only_settings_on() -> None:
    text = "# a comment\n#RADAR_A=1\n# RADAR_B=2\n#OTHER=3\n"
    assert uncommented(text) == "# a comment\nRADAR_A=1\nRADAR_B=2\n#OTHER=3\n"


def test_parse_env_file_rejects_duplicates_and_garbage() -> None:
    with pytest.raises(AssertionError, match="twice"):
        parse_env_file("A=1\nA=2\n")
    with pytest.raises(AssertionError, match="not KEY=VALUE"):
        parse_env_file("export A=1\n")


def test_dockerfile_parser_joins_continuations() -> None:
    text = "# syntax=docker/dockerfile:1\nFROM x AS b\nRUN a \\\n    # comment\n    && b\nFROM y\nUSER u\n"
    expected = [("FROM", "x AS b"), ("RUN", "a && b"), ("FROM", "y"), ("USER", "u")]
    assert dockerfile_instructions(text) == expected
    assert final_stage(dockerfile_instructions(text)) == [("FROM", "y"), ("USER", "u")]


# --------------------------------------------------------------------------- docker-compose.yml


def test_services_are_the_five(services: dict[str, Any]) -> None:
    assert set(services) == set(ALL_SERVICES)


def test_no_obsolete_version_key(compose: dict[str, Any]) -> None:
    assert "version" not in compose, "the top-level version key is obsolete in Compose v2"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_build_from_the_dockerfile(services: dict[str, Any], name: str) -> None:
    build = services[name].get("build")
    assert build is not None, f"{name} must be built from the Dockerfile"
    if isinstance(build, str):
        context, dockerfile_name = build, "Dockerfile"
    else:
        context, dockerfile_name = build.get("context", "."), build.get("dockerfile", "Dockerfile")
    assert (ROOT / context / dockerfile_name).resolve() == DOCKERFILE_PATH.resolve()


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_read_env_file(services: dict[str, Any], name: str) -> None:
    assert env_files(services[name]) == [".env"]


@pytest.mark.parametrize("name", APP_SERVICES)
@pytest.mark.parametrize(
    ("key", "host_service", "port"),
    [
        ("RADAR_DATABASE_URL", "postgres", 5432),
        ("RADAR_REDIS_URL", "redis", 6379),
    ],
)
def test_app_services_reach_store_and_cache(
    services: dict[str, Any], env_example: dict[str, str], name: str, key: str, host_service: str, port: int
) -> None:
    seen = app_env(services[name], env_example)
    assert key in seen, f"{name} gets no {key} (neither environment nor .env.example)"
    url = urlparse(seen[key])
    assert url.hostname == host_service, f"{key} for {name} must point at the {host_service} service"
    assert url.port == port


def test_database_url_matches_postgres_credentials(
    services: dict[str, Any], env_example: dict[str, str]
) -> None:
    postgres_env = {
        key: interpolate(str(value), env_example)
        for key, value in (services["postgres"].get("environment") or {}).items()
    }
    url = urlparse(env_example["RADAR_DATABASE_URL"])
    assert url.scheme.startswith("postgresql")
    assert url.username == postgres_env["POSTGRES_USER"] == env_example["POSTGRES_USER"]
    assert url.password == postgres_env["POSTGRES_PASSWORD"] == env_example["POSTGRES_PASSWORD"]
    assert url.path.lstrip("/") == postgres_env["POSTGRES_DB"] == env_example["POSTGRES_DB"]


def test_dashboard_reaches_the_api(services: dict[str, Any], env_example: dict[str, str]) -> None:
    url = urlparse(app_env(services["dashboard"], env_example)["RADAR_API_URL"])
    assert url.hostname == "api"
    assert url.port in container_ports(services["api"], env_example)


@pytest.mark.parametrize(("name", "port"), [("api", 8000), ("dashboard", 8501)])
def test_published_ports(services: dict[str, Any], env_example: dict[str, str], name: str, port: int) -> None:
    entries = services[name].get("ports", [])
    assert len(entries) == 1, f"{name} publishes exactly one port"
    assert compose_variables(str(entries[0])), f"{name}'s host port must be configurable via .env"
    assert published_ports(services[name], env_example) == [(env_example["VIGIE_BIND_ADDRESS"], port, port)]
    # With an empty .env the defaults in the compose file apply; they must be the same.
    assert published_ports(services[name], {}) == [("127.0.0.1", port, port)]


@pytest.mark.parametrize("name", [*INFRA_SERVICES, "worker"])
def test_internal_services_publish_nothing(services: dict[str, Any], name: str) -> None:
    assert not services[name].get("ports"), f"{name} must stay on the compose network"


@pytest.mark.parametrize(
    ("name", "subcommand", "port"), [("api", "serve", 8000), ("dashboard", "dashboard", 8501)]
)
def test_server_commands_listen_on_their_ports(
    services: dict[str, Any], env_example: dict[str, str], name: str, subcommand: str, port: int
) -> None:
    command = command_text(services[name].get("command"))
    assert shlex.split(command)[:2] == ["radar", subcommand]
    assert option_value(command, "--host") == "0.0.0.0"
    assert option_value(command, "--port") == str(port)
    assert container_ports(services[name], env_example) == [port]


def test_worker_initialises_then_runs_the_scheduler(services: dict[str, Any]) -> None:
    command = command_text(services["worker"].get("command"))
    assert "radar init" in command and "radar worker" in command
    assert command.index("radar init") < command.index("radar worker")
    assert "radar init &&" in command, "the worker must not start when init fails"
    assert "exec radar worker" in command, "the worker must be PID 1 to receive SIGTERM"


@pytest.mark.parametrize("name", ALL_SERVICES)
def test_every_service_has_a_healthcheck(services: dict[str, Any], name: str) -> None:
    check = services[name].get("healthcheck")
    assert isinstance(check, dict) and not check.get("disable"), f"{name} has no healthcheck"
    test = check.get("test")
    assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, test


def test_infra_healthchecks(services: dict[str, Any]) -> None:
    assert healthcheck_test(services["redis"]) == "CMD redis-cli ping"
    postgres = healthcheck_test(services["postgres"])
    assert "pg_isready" in postgres
    assert "$${POSTGRES_USER}" in postgres, "pg_isready must check the configured user, escaped for the shell"


@pytest.mark.parametrize(("name", "path"), [("api", "/health"), ("dashboard", "/_stcore/health")])
def test_http_healthchecks_match_ports(
    services: dict[str, Any], env_example: dict[str, str], name: str, path: str
) -> None:
    url = urlparse(healthcheck_url(healthcheck_test(services[name])))
    assert url.hostname in ("127.0.0.1", "localhost")
    assert url.port == container_ports(services[name], env_example)[0]
    assert url.port == int(option_value(command_text(services[name]["command"]), "--port") or 0)
    assert url.path == path
    assert "python" in healthcheck_test(services[name]), "slim images have no curl; use python"


def test_worker_healthcheck_asks_the_worker_metrics_port(
    services: dict[str, Any], env_example: dict[str, str], httpserver: HTTPServer
) -> None:
    test = services["worker"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    code = test[3]
    seen = app_env(services["worker"], env_example)
    assert int(seen["RADAR_METRICS_PORT"]) > 0, "the worker's healthcheck needs its metrics port on"

    def exit_code(port: int) -> int:
        # The compose file's own snippet, run as the container runs it, against a local port.
        env = {"PATH": os.environ.get("PATH", ""), "RADAR_METRICS_PORT": str(port)}
        return subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, timeout=30
        ).returncode

    httpserver.expect_request("/metrics").respond_with_data("vigie_items_collected_total 0\n")
    assert exit_code(httpserver.port) == 0
    assert exit_code(9) != 0  # nothing listens: `radar init` still running, or the worker is down


def test_depends_on_waits_for_healthy_services(services: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        depends = services[name].get("depends_on")
        assert isinstance(depends, dict), f"{name}: depends_on must use the long form with conditions"
        for infra in INFRA_SERVICES:
            assert depends.get(infra, {}).get("condition") == "service_healthy", f"{name} -> {infra}"
        for target, spec in depends.items():
            assert target in services, f"{name} depends on unknown service {target}"
            assert spec.get("condition") == "service_healthy", f"{name} -> {target}"
            assert services[target].get("healthcheck"), f"{name} waits on {target}, which has no healthcheck"
    # api and dashboard must not start before `radar init` has applied the migrations.
    assert "worker" in services["api"]["depends_on"]
    assert {"worker", "api"} & set(services["dashboard"]["depends_on"])


def test_depends_on_has_no_cycle(services: dict[str, Any]) -> None:
    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"dependency cycle: {' -> '.join((*path, name))}"
        for target in services[name].get("depends_on") or {}:
            visit(target, (*path, name))

    for name in services:
        visit(name, ())


@pytest.mark.parametrize("name", ALL_SERVICES)
def test_restart_policy(services: dict[str, Any], name: str) -> None:
    assert services[name].get("restart") == "unless-stopped"


def test_postgres_data_is_a_declared_named_volume(compose: dict[str, Any], services: dict[str, Any]) -> None:
    mounts = named_volume_mounts(services["postgres"])
    volume = mounts.get("/var/lib/postgresql/data")
    assert volume, "postgres data must live in a named volume"
    assert volume in (compose.get("volumes") or {}), f"volume {volume} is not declared at top level"


def test_app_services_share_radar_home(
    compose: dict[str, Any],
    services: dict[str, Any],
    env_example: dict[str, str],
    dockerfile: list[tuple[str, str]],
) -> None:
    home = env_example["RADAR_HOME"]
    assert home == dockerfile_env(final_stage(dockerfile))["RADAR_HOME"] == "/data"
    volumes = {named_volume_mounts(services[name]).get(home) for name in APP_SERVICES}
    assert len(volumes) == 1 and None not in volumes, f"app services must share one volume at {home}"
    assert volumes.pop() in (compose.get("volumes") or {})


def test_every_named_volume_is_declared(compose: dict[str, Any], services: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    for name, service in services.items():
        for target, volume in named_volume_mounts(service).items():
            assert volume in declared, f"{name} mounts undeclared volume {volume} at {target}"


# --------------------------------------------------------------------------- .env.example


def test_every_compose_variable_is_in_env_example(compose_text: str, env_example: dict[str, str]) -> None:
    used = compose_variables(compose_text)
    assert used, "compose should take ports and credentials from .env"
    assert used <= set(env_example), f"missing from .env.example: {sorted(used - set(env_example))}"
    bare = {m.group(1) for m in _BARE_COMPOSE_VAR.finditer(compose_text)}
    assert not bare, f"use ${{VAR}} (or $${{VAR}} for the container shell), not $VAR: {sorted(bare)}"


def test_env_example_sets_what_compose_needs(env_example: dict[str, str]) -> None:
    missing = [key for key in REQUIRED_SETTINGS if key not in env_example]
    assert not missing, f"missing from .env.example: {missing}"


def test_env_example_lists_every_setting(env_example_text: str) -> None:
    from radar.settings import Settings

    listed = set(parse_env_file(uncommented(env_example_text)))
    expected = {f"RADAR_{name.upper()}" for name in Settings.model_fields}
    assert not expected - listed, f"settings missing from .env.example: {sorted(expected - listed)}"
    radar_keys = {key for key in listed if key.startswith("RADAR_")}
    assert not radar_keys - expected, f".env.example lists unknown settings: {sorted(radar_keys - expected)}"


def test_env_example_values_are_valid_settings(env_example_text: str, tmp_path: Path) -> None:
    from radar.settings import load_config

    # Uncommenting every line must still give a valid configuration: the defaults shown are real values.
    for text in (env_example_text, uncommented(env_example_text)):
        values = {k: v for k, v in parse_env_file(text).items() if k.startswith("RADAR_")}
        settings = load_config(tmp_path, values).settings
        assert settings.log_format == values["RADAR_LOG_FORMAT"]


def test_env_example_documents_every_radar_key(env_example_text: str) -> None:
    assert undocumented_keys(env_example_text) == []
    assert undocumented_keys(uncommented(env_example_text)) == []


def test_env_example_safe_defaults(env_example: dict[str, str]) -> None:
    assert env_example["RADAR_FETCH_ALLOW_PRIVATE"] == "false"
    assert env_example["RADAR_LOG_FORMAT"] in ("text", "json")
    assert env_example["RADAR_SLACK_WEBHOOK_URL"] == ""
    assert int(env_example["RADAR_ANALYSIS_WINDOW_DAYS"]) > 0
    assert int(env_example["RADAR_API_RATE_LIMIT"]) > 0


# --------------------------------------------------------------------------- Dockerfile


def test_dockerfile_base_image(dockerfile: list[tuple[str, str]]) -> None:
    bases = [args.split()[0] for keyword, args in dockerfile if keyword == "FROM"]
    assert bases and all(base == "python:3.11-slim" for base in bases), bases


def test_dockerfile_installs_cpu_torch_before_the_project(dockerfile: list[tuple[str, str]]) -> None:
    runs = [args for keyword, args in dockerfile if keyword == "RUN"]
    torch_runs = [i for i, args in enumerate(runs) if "torch" in args]
    assert len(torch_runs) == 1, "install torch in exactly one RUN"
    torch_run = runs[torch_runs[0]]
    assert "pip install" in torch_run and TORCH_PIN in shlex.split(torch_run)
    assert f"--index-url {TORCH_CPU_INDEX}" in torch_run or f"--index-url={TORCH_CPU_INDEX}" in torch_run
    project_runs = [i for i, args in enumerate(runs) if re.search(r"pip install (\S+ )*\.(\s|$)", args)]
    assert project_runs, "the project must be installed with `pip install .`"
    assert torch_runs[0] < project_runs[0], "CPU torch must be installed before the project"


def test_dockerfile_copies_source_after_torch(dockerfile: list[tuple[str, str]]) -> None:
    keywords = [(keyword, args) for keyword, args in dockerfile]
    torch_at = next(i for i, (k, a) in enumerate(keywords) if k == "RUN" and "torch" in a)
    first_copy = next(i for i, (k, a) in enumerate(keywords) if k == "COPY" and "--from" not in a)
    assert torch_at < first_copy, "keep the torch layer cached across source changes"


def test_dockerfile_runs_as_non_root(dockerfile: list[tuple[str, str]]) -> None:
    stage = final_stage(dockerfile)
    users = [(i, args) for i, (keyword, args) in enumerate(stage) if keyword == "USER"]
    assert users, "the final stage must switch to a non-root user"
    last_index, user = users[-1]
    assert user.split(":")[0] not in ("root", "0")
    later = [keyword for keyword, _ in stage[last_index:]]
    assert "RUN" not in later, "no RUN after USER should need root; order USER late but before CMD"
    assert "CMD" in later or "ENTRYPOINT" in later


def test_dockerfile_layout(dockerfile: list[tuple[str, str]]) -> None:
    stage = final_stage(dockerfile)
    assert ("WORKDIR", "/app") in stage
    assert dockerfile_env(stage).get("RADAR_HOME") == "/data"
    volumes = [args for keyword, args in stage if keyword == "VOLUME"]
    assert any("/data" in args for args in volumes), "RADAR_HOME must be a volume"


def test_dockerfile_ports_and_health_match_compose(
    dockerfile: list[tuple[str, str]], services: dict[str, Any], env_example: dict[str, str]
) -> None:
    stage = final_stage(dockerfile)
    exposed = {
        int(port.split("/")[0]) for keyword, args in stage if keyword == "EXPOSE" for port in args.split()
    }
    compose_ports = {port for name in APP_SERVICES for port in container_ports(services[name], env_example)}
    assert exposed == compose_ports == {8000, 8501}

    healthchecks = [args for keyword, args in stage if keyword == "HEALTHCHECK"]
    assert len(healthchecks) == 1
    assert healthcheck_url(healthchecks[0]) == healthcheck_url(healthcheck_test(services["api"]))

    cmds = [args for keyword, args in stage if keyword == "CMD"]
    assert cmds, "the image needs a default command"
    default = command_text(yaml.safe_load(cmds[-1]))  # exec form is a JSON array
    assert default == command_text(services["api"]["command"]), "default CMD should be the API, as in compose"


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    patterns = {
        line.strip()
        for line in DOCKERIGNORE_PATH.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", ".git", ".venv"} <= patterns
    for needed in ("pyproject.toml", "radar", "collectors", "dashboard"):
        assert needed not in patterns and f"/{needed}" not in patterns, f"`pip install .` needs {needed}"


# --------------------------------------------------------------------------- docs


def test_deploy_doc_matches_the_files(compose: dict[str, Any], services: dict[str, Any]) -> None:
    doc = DEPLOY_DOC_PATH.read_text(encoding="utf-8")
    assert "cp .env.example .env" in doc
    assert "docker compose up -d" in doc
    project = compose.get("name")
    assert project, "set a compose project name so volume names are predictable"
    postgres_volume = named_volume_mounts(services["postgres"])["/var/lib/postgresql/data"]
    assert f"{project}_{postgres_volume}" in doc, "document the postgres volume by its real name"
