"""The agent's figures with the scripted model (never a real provider), against the emulator, in one process.

    python bench/agent_latency.py [--runs 20]

- first streamed token: from the scripted model sending its first piece of text to the emulator
  receiving chat.startStream with it (both wall-clock stamps on this machine); goal within 1 s;
- ack: from the emulator writing the DM's envelope to reading its ack (the model is slowed by
  0.3 s, so an ack that waited for the model would show it);
- Web API calls: one question answered with five tool calls, against the same five commands typed
  in the same DM (each answered with chat.postMessage) and as /sloth slash commands (answered through
  response_url, which is not a Web API call). Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from bot.config.model import ModelSettings
from bot.testing import start_runtime
from bot.testing.model_server import Call, ScriptedModel, Step
from sloth_emulator import Emulator, Workspace

WJK68 = "U01WJK68KS"
FIVE = [("whois", {"user": "@kenji"}), ("whois", {"user": "@amelia"}), ("history", {"channel": "#general"}),
        ("whois", {"user": "@priya"}), ("history", {"channel": "#random"})]
TYPED = ["whois @kenji", "whois @amelia", "history #general", "whois @priya", "history #random"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(runs: int) -> None:
    steps: list[Step] = []
    async with ScriptedModel(lambda _: steps.pop(0) if steps else Step(text="ok")) as model, \
            Emulator(Workspace.default()) as emu:
        with tempfile.TemporaryDirectory() as tmp:
            settings = ModelSettings(name="scripted", url=model.openai_url, key="bench")
            async with start_runtime(emu, Path(tmp), model=settings) as runtime:
                dm = emu.workspace.open_im(emu.bot_user_id, WJK68)[0].id
                first, acks = [], []
                for n in range(runs):
                    steps.append(Step(text=f"Answer number {n}, streamed in pieces.", chunks=6, delay=0.3, gap=0.02))
                    stops = len(emu.calls_to("chat.stopStream"))
                    delivery = await emu.user_message(WJK68, dm, f"How is the team doing, take {n}?")
                    await delivery.acked()
                    acks.append((delivery.ack_latency or 0) * 1000)
                    await emu.wait_for(lambda s=stops: len(emu.calls_to("chat.stopStream")) > s, timeout=10)
                    started = emu.calls_to("chat.startStream")[-1].time
                    first.append((started - model.first_token_at[-1]) * 1000)
                await runtime.pool.queue.join()
                for line in TYPED:  # warm Sloth's directory, so neither side below pays for filling it
                    await emu.dm(line, user=WJK68)
                await runtime.pool.queue.join()
                # Five tool calls in one conversation.
                steps.extend([Step(calls=(Call(name, args),)) for name, args in FIVE])
                steps.append(Step(text="Here is what I found about the team.", chunks=8))
                before, stops = len(emu.calls), len(emu.calls_to("chat.stopStream"))
                await (await emu.user_message(WJK68, dm, "Tell me about the team and the channels")).acked()
                await emu.wait_for(lambda: len(emu.calls_to("chat.stopStream")) > stops, timeout=20)
                await runtime.pool.queue.join()
                agent_calls = [c.method for c in emu.calls[before:]]
                before = len(emu.calls)
                for line in TYPED:
                    await emu.dm(line, user=WJK68)
                await runtime.pool.queue.join()
                typed_calls = [c.method for c in emu.calls[before:]]
                before = len(emu.calls)
                for line in TYPED:
                    await emu.command(f"/sloth {line}", user=WJK68)
                await runtime.pool.queue.join()
                slash_calls = [c.method for c in emu.calls[before:]]
    print(f"| measure ({runs} runs) | p50 | p95 | max |")
    print("| --- | --- | --- | --- |")
    print(f"| first streamed token after the model's first token (ms) | {statistics.median(first):.1f} | "
          f"{pct(first, 0.95):.1f} | {max(first):.1f} |")
    print(f"| ack of the DM (ms) | {statistics.median(acks):.1f} | {pct(acks, 0.95):.1f} | {max(acks):.1f} |")
    print()
    print("| five tool calls | Web API calls | of them |")
    print("| --- | --- | --- |")
    for label, calls in (("one question to the agent", agent_calls), ("the five commands typed in the DM", typed_calls),
                         ("the five as /sloth commands", slash_calls)):
        counts = {m: calls.count(m) for m in dict.fromkeys(calls)}
        print(f"| {label} | {len(calls)} | {', '.join(f'{m} {k}' for m, k in counts.items())} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=20)
    asyncio.run(main(parser.parse_args().runs))
