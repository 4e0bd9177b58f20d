"""Peak extra memory of one dedup, measured in a fresh process.

tracemalloc cannot see Rust's allocations, so this reads the kernel's resident-set
high-water mark: the data is generated first, the mark is reset through
/proc/self/clear_refs, then the dedup runs and the new peak minus the resident size
before it is the extra memory. Run as
`python -m dancescrape.bench.memory --events N --impl core|baseline`.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["measure_in_subprocess"]

_STATUS = Path("/proc/self/status")


def _status_kib(field: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # 5: reset the peak RSS (Linux >= 4.0)
    except OSError:
        return False
    return True


def _measure(events: int, impl: str, seed: int) -> dict[str, Any]:
    from dancescrape.bench.baseline import baseline_dedup
    from dancescrape.bench.data import generate_events
    from dancescrape.dedup import dedup_rows

    frame = generate_events(events, seed)
    run: Callable[[], object] = (
        (lambda: dedup_rows(frame)) if impl == "core" else (lambda: baseline_dedup(frame))
    )
    gc.collect()
    reset = _reset_peak()
    before = _status_kib("VmRSS") or 0
    before_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = run()
    peak = _status_kib("VmHWM") if reset else None
    method = "VmHWM after clear_refs" if peak is not None else "ru_maxrss delta"
    if peak is None:
        peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, before_max)
    extra = max(0, peak - before) * 1024
    del result
    return {
        "events": events,
        "impl": impl,
        "extra_bytes": extra,
        "bytes_per_event": extra / max(events, 1),
        "method": method,
    }


def measure_in_subprocess(events: int, impl: str, seed: int) -> dict[str, Any]:
    """Run `_measure` in a fresh interpreter, so earlier runs cannot hide the peak."""
    out = subprocess.run(
        [sys.executable, "-m", "dancescrape.bench.memory", "--events", str(events),
         "--impl", impl, "--seed", str(seed)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--impl", choices=("core", "baseline"), default="core")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(_measure(args.events, args.impl, args.seed)))


if __name__ == "__main__":
    main()
