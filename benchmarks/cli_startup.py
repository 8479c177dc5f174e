"""CLI start-up: wall time of commands that need no model, against a bare Python start.

Each command runs N times as a fresh process (as a user types it); the median is printed with
its ratio to `python -c pass`. A command that loads the model or the queue's web stack here
shows up as seconds instead of a fraction of one.

    python benchmarks/cli_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIGIE = [sys.executable, "-m", "vigie.cli"]
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "vigie --help": [*VIGIE, "--help"],
    "vigie --version": [*VIGIE, "--version"],
    "vigie check-config --help": [*VIGIE, "check-config", "--help"],
    "vigie check-config events/brand.example.yaml": [
        *VIGIE, "check-config", str(ROOT / "events" / "brand.example.yaml")
    ],
}


def wall_time(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command (median kept)")
    args = parser.parse_args()
    medians = {
        name: statistics.median(wall_time(argv) for _ in range(args.runs))
        for name, argv in COMMANDS.items()
    }
    bare = medians["python -c pass"]
    print(f"median of {args.runs} runs each")
    for name, seconds in medians.items():
        print(f"  {name:<48} {seconds:6.3f} s  {seconds / bare:6.1f}x python -c pass")


if __name__ == "__main__":
    main()
