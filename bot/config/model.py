"""The language model behind Sloth's agent (`bot.agent`): which provider, model, endpoint and key,
how long to wait, and what it may spend. Read with the core settings; every problem reported
together. Without SLOTH_MODEL there is no agent and nothing changes.

- SLOTH_MODEL: the model's name (`gpt-4.1-mini`, `claude-sonnet-4-5`, `llama3.1` on Ollama)
- SLOTH_MODEL_PROVIDER: `openai` (any OpenAI-compatible chat-completions endpoint with tool calling:
  OpenAI, vLLM, Ollama, a gateway; the default) or `anthropic` (Anthropic's messages API)
- SLOTH_MODEL_URL: the endpoint (e.g. `http://localhost:11434/v1`); the provider's own by default
- SLOTH_MODEL_KEY: the API key; required unless SLOTH_MODEL_URL points elsewhere than the provider
- SLOTH_MODEL_TIMEOUT: seconds one model call may take (default 60)
- SLOTH_MODEL_MEMBER_TOKENS / SLOTH_MODEL_DAY_TOKENS: tokens a member / everyone may use a day
  (defaults 200,000 and 2,000,000; 0: no limit)
- SLOTH_MODEL_PRICE: `input,output` in dollars per million tokens; with it,
  SLOTH_MODEL_MEMBER_COST / SLOTH_MODEL_DAY_COST cap the dollars a member / everyone spends a day
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Provider = Literal["openai", "anthropic"]
VARIABLES = frozenset({
    "SLOTH_MODEL", "SLOTH_MODEL_PROVIDER", "SLOTH_MODEL_URL", "SLOTH_MODEL_KEY", "SLOTH_MODEL_TIMEOUT",
    "SLOTH_MODEL_MEMBER_TOKENS", "SLOTH_MODEL_DAY_TOKENS", "SLOTH_MODEL_PRICE", "SLOTH_MODEL_MEMBER_COST",
    "SLOTH_MODEL_DAY_COST",
})


@dataclass(frozen=True)
class ModelSettings:
    name: str
    provider: Provider = "openai"
    url: str | None = None
    key: str | None = field(default=None, repr=False)
    timeout: float = 60.0
    member_tokens: int = 200_000  # a day, per member; 0: no limit
    day_tokens: int = 2_000_000  # a day, everyone together; 0: no limit
    price: tuple[float, float] | None = None  # dollars per million input, output tokens
    member_cost: float | None = None  # dollars a day, per member
    day_cost: float | None = None  # dollars a day, everyone together

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        if self.price is None:
            return 0.0
        return (input_tokens * self.price[0] + output_tokens * self.price[1]) / 1_000_000


def _number(env: Mapping[str, str], name: str, default: float, problems: list[str], what: str,
            whole: bool = False) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not math.isfinite(value) or value < 0 or (whole and not value.is_integer()):
        problems.append(f"{name} must be {what}, not {raw[:20]!r}.")
        return default
    return value


def _price(env: Mapping[str, str], problems: list[str]) -> tuple[float, float] | None:
    raw = env.get("SLOTH_MODEL_PRICE", "").strip()
    if not raw:
        return None
    parts = [p.strip() for p in raw.split(",")]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 2 or not all(math.isfinite(n) and n >= 0 for n in numbers):
        problems.append(f"SLOTH_MODEL_PRICE must be 'input,output' in dollars per million tokens, e.g. '0.4,1.6', "
                        f"not {raw[:30]!r}.")
        return None
    return numbers[0], numbers[1]


def read_model_settings(env: Mapping[str, str], problems: list[str]) -> ModelSettings | None:
    """The model's settings, or None when SLOTH_MODEL is unset (then every other SLOTH_MODEL_* is a mistake)."""
    name = env.get("SLOTH_MODEL", "").strip()
    if not name:
        stray = sorted(v for v in VARIABLES if env.get(v, "").strip())
        if stray:
            problems.append(f"{', '.join(stray)} set without SLOTH_MODEL: name the model too (or unset them).")
        return None
    provider = env.get("SLOTH_MODEL_PROVIDER", "openai").strip().lower() or "openai"
    if provider not in ("openai", "anthropic"):
        problems.append(f"SLOTH_MODEL_PROVIDER must be 'openai' (any OpenAI-compatible endpoint) or 'anthropic', "
                        f"not {provider[:20]!r}.")
        provider = "openai"
    url = env.get("SLOTH_MODEL_URL", "").strip().rstrip("/") or None
    if url is not None and not url.startswith(("http://", "https://")):
        problems.append("SLOTH_MODEL_URL must be an http(s) URL, e.g. http://localhost:11434/v1.")
    key = env.get("SLOTH_MODEL_KEY", "").strip() or None
    if key is None and url is None:
        problems.append(f"SLOTH_MODEL_KEY is not set: the {provider} API needs a key (a local endpoint set with "
                        "SLOTH_MODEL_URL may do without).")
    timeout = _number(env, "SLOTH_MODEL_TIMEOUT", 60.0, problems, "a number of seconds above 0")
    if timeout == 0:
        problems.append("SLOTH_MODEL_TIMEOUT must be above 0.")
        timeout = 60.0
    tokens = "a whole number of tokens (0: no limit)"
    member_tokens = int(_number(env, "SLOTH_MODEL_MEMBER_TOKENS", 200_000, problems, tokens, whole=True))
    day_tokens = int(_number(env, "SLOTH_MODEL_DAY_TOKENS", 2_000_000, problems, tokens, whole=True))
    price = _price(env, problems)
    costs = {n: _number(env, n, -1, problems, "a number of dollars") for n in ("SLOTH_MODEL_MEMBER_COST",
                                                                           "SLOTH_MODEL_DAY_COST")}
    if price is None and any(c >= 0 for c in costs.values()):
        problems.append("SLOTH_MODEL_MEMBER_COST and SLOTH_MODEL_DAY_COST need SLOTH_MODEL_PRICE (dollars per "
                        "million input and output tokens) to count what is spent.")
    member_cost, day_cost = (c if c >= 0 else None for c in costs.values())
    chosen: Provider = "anthropic" if provider == "anthropic" else "openai"
    return ModelSettings(name=name, provider=chosen, url=url, key=key,
                         timeout=timeout, member_tokens=member_tokens, day_tokens=day_tokens, price=price,
                         member_cost=member_cost, day_cost=day_cost)
