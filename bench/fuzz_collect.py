"""A long, coverage-guided fuzz run of the collect decoder (atheris, libFuzzer): the body of
`POST /api/event` is decoded and every event in it turned into a domain event, exactly as the endpoint
does. Whatever the bytes, the answer must be events or InvalidInput (a 400 naming the field); any
other exception is a crash, saved by libFuzzer and reported.

    apps/backend/.venv/bin/python bench/fuzz_collect.py --seconds 600

It starts from a seed corpus of the payload forms the tracker, the batch form and Plausible's Events API
send, and prints the executions, the coverage reached and the crashes found (docs/benchmarks.md)."""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["fieldmark", "msgspec"]):
    from fieldmark.ingestion.adapters.http.payload import decode, to_event
    from fieldmark.shared_kernel.errors import InvalidInput

SEEDS = [
    {"n": "pageview", "u": "https://example.com/a?utm_source=x", "d": "example.com", "r": "https://t.co/"},
    {"name": "Signup", "url": "https://example.com/", "domain": "example.com", "props": {"plan": "pro"},
     "revenue": {"amount": "12.50", "currency": "EUR"}, "interactive": True},
    {"n": "engagement", "u": "https://example.com/", "d": "example.com", "e": 5200, "sd": 73},
    {"n": "click", "u": "https://example.com/", "d": "example.com", "x": 10, "y": 20, "vw": 1440,
     "vh": 900, "dw": 1440, "dh": 3000, "s": "main > button.buy", "t": "button", "rg": True},
    [{"n": "pageview", "u": "https://example.com/1", "d": "example.com"},
     {"n": "Outbound Link: Click", "u": "https://example.com/2", "d": "example.com",
      "p": {"url": "https://other.example/"}}],
    {"n": "pageview", "u": "https://example.com/", "site": "fm_abcdefghijklmnop", "pid": "user-42"},
]  # fmt: skip
NESTED = [
    b'{"n": "pageview", "u": "https://example.com/", "d": "example.com", "p": {"x": ' + b"[" * 3000
    + b"]" * 3000 + b"}}",
    b"[" * 3000 + b"]" * 3000,
]  # fmt: skip


def one_input(data: bytes) -> None:
    try:
        payloads = decode(data)
    except InvalidInput:
        return
    for i, payload in enumerate(payloads):
        try:
            to_event(payload, i)
        except InvalidInput:
            pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=600)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fm-fuzz-"))
    corpus, crashes = work / "corpus", work / "crashes"
    corpus.mkdir()
    crashes.mkdir()
    for i, seed in enumerate(SEEDS):
        (corpus / f"seed{i}").write_bytes(json.dumps(seed).encode())
    for i, nested in enumerate(NESTED):  # deep nesting (msgspec's RecursionError was a 500 once)
        (corpus / f"nested{i}").write_bytes(nested)
    log = work / "libfuzzer.log"
    print(f"fuzzing the collect decoder for {args.seconds} s; corpus and crashes in {work}", flush=True)
    started = time.monotonic()
    import subprocess

    run = subprocess.run(
        [sys.executable, __file__, "--child", str(corpus), f"-max_total_time={args.seconds}",
         "-max_len=65536", "-rss_limit_mb=4096", f"-artifact_prefix={crashes}/", "-print_final_stats=1"],
        stderr=log.open("w"), check=False,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    text = log.read_text()
    stats = dict(re.findall(r"^stat::(\w+):\s+(\d+)", text, re.M))
    coverage = re.findall(r"cov: (\d+) ft: (\d+) corp: (\d+)", text)
    found = sorted(p.name for p in crashes.iterdir())
    print(f"elapsed: {elapsed:.0f} s, exit {run.returncode}")
    print(f"executions: {int(stats.get('number_of_executed_units', 0)):,}"
          f" ({int(stats.get('average_exec_per_sec', 0)):,}/s)")  # fmt: skip
    if coverage:
        cov, features, units = coverage[-1]
        print(f"coverage: {cov} edges, {features} features, corpus of {units} inputs")
    print(f"peak RSS: {stats.get('peak_rss_mb', '?')} MB")
    print(f"crashes: {len(found)}" + (f" ({', '.join(found)}; see {log})" if found else ""))
    return 0 if not found and run.returncode == 0 else 1


if __name__ == "__main__":
    if "--child" in sys.argv:
        sys.argv.remove("--child")
        atheris.Setup(sys.argv, one_input)
        atheris.Fuzz()
    else:
        sys.exit(main())
