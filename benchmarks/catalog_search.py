"""Catalog search latency: the trigram index against a plain rapidfuzz scan.

Autocomplete (Discord calls it on every keystroke) and request resolution
must answer within 5 ms for a 100,000-recording catalog on a 2-core machine.
This builds a deterministic synthetic catalog, runs a mix of exact, typo,
prefix and accent-stripped queries through ``CatalogIndex.search`` and, on a
subset of the same queries side by side, through a plain
``rapidfuzz.process.extract`` scan over every name, and reports latency
percentiles plus how often the intended song came back.

Usage: ``.venv/bin/python benchmarks/catalog_search.py [--quick | --smoke]``
(``--quick``: 20,000 recordings; ``--smoke``: 2,000). The last
line printed is a JSON object: ``n``, ``index_p50_ms``, ``index_p99_ms``,
``index_max_ms``, ``scan_p50_ms``, ``scan_p99_ms``, ``speedup_p50``,
``target_ms`` and ``met`` (index wall-clock p99 within the target), plus CPU-time
percentiles, ``met_cpu`` and the machine (``benchmarks/_machine.py``): on a
shared machine wall time includes waiting for a core, CPU time does not.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import add_run_size, emit, machine_info
from core.catalog import CatalogIndex, normalise
from core.model import Recording
from storage import TrigramPostings

TARGET_MS = 5.0
SEED = 20261128


def _words(text: str) -> list[str]:
    return text.split()


_PLAIN = _words(
    "golden hour night city river light summer rain fire heart dream shadow ocean "
    "wild blue silver midnight morning echo paper stone glass velvet neon desert "
    "winter garden thunder honey broken electric slow dancing falling running "
    "lonely sweet bitter crystal northern southern hollow distant secret quiet "
    "loud young old forever never always tonight yesterday tomorrow home road "
    "train highway mountain valley island harbor lantern candle mirror window "
    "door bridge tower castle kingdom empire crown rose lily violet ivory amber "
    "scarlet cobalt copper iron gold satellite rocket planet comet galaxy orbit "
    "signal static radio cassette vinyl record chorus melody rhythm tempo pulse "
    "heartbeat breath whisper scream shout song ballad anthem lullaby serenade "
    "fever chill storm breeze cloud sky star moon sun dawn dusk twilight horizon "
    "sea wave tide shore sand salt smoke ash ember spark flame blaze wildfire "
    "lover stranger friend enemy ghost angel devil saint sinner hero outlaw "
    "runaway wanderer dreamer drifter rebel queen king prince princess"
)
_ACCENTED = _words(
    "café déjà vu niño señora corazón mañana canción música fiancé naïve über "
    "straße garçon résumé jalapeño açaí crème brûlée piñata élan façade pâté "
    "smörgåsbord fjörd kærlighed søvn łódź zürich göteborg ñandú "
)
_FIRST = _words(
    "Aria Lumen Nova Milo Iris Jasper Luna Felix Cleo Otis Wren Hugo Ada Theo Maya "
    "Ezra Nina Leo Sofia Remy Juno Silas Ines Bruno Élodie Zoë Chloé Renée José "
    "Björn Søren Agnès"
)
_LAST = _words(
    "Vale Avenue Harbor Stone Rivers Grey Wilde Frost Knight Blake Cruz Moreau "
    "Lindqvist Okafor Tanaka Novak Rossi Müller Dubois Nguyen Silva Kowalski "
    "Haddad Petrov Walsh Brennan Ortega Castillo Ferreira Jensen"
)


@dataclass(frozen=True)
class Query:
    kind: str  # exact | typo | prefix | accent
    text: str
    target: Recording


def synthetic_catalog(n: int, rng: random.Random) -> list[Recording]:
    """``n`` recordings with 1–4-word titles, ~1,000 artists, a few aliases."""
    bands = [f"The {w.title()}s" for w in rng.sample(_PLAIN, 60)]
    artists = [f"{f} {last}" for f in _FIRST for last in _LAST] + bands
    recordings = []
    for i in range(n):
        words = rng.choices(
            _ACCENTED + _PLAIN if rng.random() < 0.15 else _PLAIN, k=rng.choice((1, 2, 2, 3, 3, 4))
        )
        title = " ".join(w.capitalize() for w in words)
        if rng.random() < 0.05:
            title += rng.choice((" (Live)", " - Radio Edit", "!", "?", " (Acoustic)"))
        aliases = (" ".join(reversed(words)).title(),) if rng.random() < 0.05 else ()
        recordings.append(
            Recording(
                id=f"rec-{i:06d}",
                work_id=f"work-{i:06d}",
                title=title,
                artist=rng.choice(artists),
                isrc=f"QZBEN{26:02d}{i % 100000:05d}",
                duration_s=float(rng.randint(90, 300)),
                aliases=aliases,
            )
        )
    return recordings


def _typo(text: str, rng: random.Random) -> str:
    """One edit (delete, swap, replace or insert) away from ``text``, not in its first letter."""
    chars = list(text)
    positions = [i for i, c in enumerate(chars) if c.isalpha() and i > 0]
    if not positions:
        return text + "x"
    i = rng.choice(positions)
    edit = rng.choice(("delete", "swap", "replace", "insert"))
    if edit == "delete":
        del chars[i]
    elif edit == "swap" and i + 1 < len(chars):
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    elif edit == "insert":
        chars.insert(i, rng.choice("aeiou"))
    else:
        chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
    return "".join(chars)


def make_queries(recordings: list[Recording], count: int, rng: random.Random) -> list[Query]:
    """Mixed queries in a fixed rotation; accent queries type the title without accents."""
    accented = [r for r in recordings if not r.title.isascii()]
    queries = []
    for i in range(count):
        kind = ("exact", "typo", "prefix", "accent")[i % 4]
        target = rng.choice(accented if kind == "accent" and accented else recordings)
        if kind == "exact":
            text = target.title
        elif kind == "typo":
            text = _typo(target.title.lower(), rng)
        elif kind == "prefix":
            text = target.title[: max(3, int(len(target.title) * rng.uniform(0.4, 0.8)))]
        else:
            text = normalise(target.title)
        queries.append(Query(kind, text, target))
    return queries


def _found(query: Query, ids: list[str], titles: dict[str, str]) -> bool:
    """Whether the hits answer the query; identical titles count as the same song."""
    want = normalise(query.target.title)
    if query.kind == "prefix":
        return bool(ids) and titles[ids[0]].startswith(normalise(query.text))
    return any(titles[i] == want for i in ids)


def _ms(func: Callable[[], list[str]]) -> tuple[float, float, list[str]]:
    """Wall and CPU milliseconds of one call: CPU time shows what contention adds."""
    start, cpu_start = time.perf_counter_ns(), time.thread_time_ns()
    result = func()
    cpu = (time.thread_time_ns() - cpu_start) / 1e6
    return (time.perf_counter_ns() - start) / 1e6, cpu, result


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(statistics.median(values), 3),
        "p99": round(_percentile(values, 0.99), 3),
        "max": round(max(values), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_size(parser, quick="20k recordings, fewer queries", smoke="2,000 recordings, 40 queries")
    parser.add_argument("-n", type=int, default=None, help="catalog size")
    parser.add_argument("--queries", type=int, default=None)
    parser.add_argument("--scan-queries", type=int, default=None)
    parser.add_argument("--limit", type=int, default=10)
    args = parser.parse_args()
    machine = machine_info()
    n = args.n or (2_000 if args.smoke else 20_000 if args.quick else 100_000)
    n_queries = args.queries or (40 if args.smoke else 300 if args.quick else 1_000)
    n_scan = args.scan_queries or (10 if args.smoke else 40 if args.quick else 200)

    rng = random.Random(SEED)
    recordings = synthetic_catalog(n, rng)
    queries = make_queries(recordings, n_queries, rng)
    titles = {r.id: normalise(r.title) for r in recordings}

    start = time.perf_counter()
    index = CatalogIndex(recordings, TrigramPostings())
    build_s = time.perf_counter() - start
    # The scan sees the same names the index does: titles, aliases and artists.
    names: list[str] = []
    owners: list[str] = []
    for r in recordings:
        for name in {normalise(x) for x in (r.title, *r.aliases, r.artist)}:
            names.append(name)
            owners.append(r.id)

    def by_index(text: str) -> Callable[[], list[str]]:
        return lambda: [h.recording_id for h in index.search(text, limit=args.limit)]

    def by_scan(text: str) -> Callable[[], list[str]]:
        def run() -> list[str]:
            found = process.extract(
                normalise(text), names, scorer=fuzz.WRatio, processor=None, limit=args.limit
            )
            return [owners[i] for _, _, i in found]

        return run

    for query in queries[:20]:  # warm up caches and lazily built postings
        by_index(query.text)()

    index_ms: dict[str, list[float]] = {}
    index_cpu_ms: list[float] = []
    index_ok: dict[str, list[bool]] = {}
    scan_ms: list[float] = []
    scan_ok: list[bool] = []
    index_ms_on_scan_subset: list[float] = []
    for i, query in enumerate(queries):
        elapsed, cpu, ids = _ms(by_index(query.text))
        index_cpu_ms.append(cpu)
        index_ms.setdefault(query.kind, []).append(elapsed)
        index_ok.setdefault(query.kind, []).append(_found(query, ids, titles))
        if i < n_scan:
            index_ms_on_scan_subset.append(elapsed)
            elapsed, _, ids = _ms(by_scan(query.text))
            scan_ms.append(elapsed)
            scan_ok.append(_found(query, ids, titles))

    all_index = [ms for values in index_ms.values() for ms in values]
    index_summary = _summary(all_index)
    scan_summary = _summary(scan_ms)
    cpu_summary = _summary(index_cpu_ms)
    print(f"load average before timing: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"catalog: {n} recordings, {len(names)} names; index built in {build_s:.1f} s")
    print(f"{'queries':14} {'count':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'found':>7}")
    for kind, values in index_ms.items():
        s = _summary(values)
        found = sum(index_ok[kind]) / len(index_ok[kind])
        print(
            f"{'index ' + kind:14} {len(values):6} {s['p50']:8.3f} {s['p99']:8.3f} "
            f"{s['max']:8.3f} {found:7.1%}"
        )
    print(
        f"{'index all':14} {len(all_index):6} {index_summary['p50']:8.3f} "
        f"{index_summary['p99']:8.3f} {index_summary['max']:8.3f}"
    )
    print(
        f"{'index cpu':14} {len(index_cpu_ms):6} {cpu_summary['p50']:8.3f} "
        f"{cpu_summary['p99']:8.3f} {cpu_summary['max']:8.3f}"
    )
    print(
        f"{'scan (subset)':14} {len(scan_ms):6} {scan_summary['p50']:8.3f} "
        f"{scan_summary['p99']:8.3f} {scan_summary['max']:8.3f} "
        f"{sum(scan_ok) / len(scan_ok):7.1%}"
    )
    speedup = statistics.median(scan_ms) / statistics.median(index_ms_on_scan_subset)
    result = {
        "n": n,
        "queries": len(all_index),
        "build_s": round(build_s, 2),
        "index_p50_ms": index_summary["p50"],
        "index_p99_ms": index_summary["p99"],
        "index_max_ms": index_summary["max"],
        "index_cpu_p50_ms": cpu_summary["p50"],
        "index_cpu_p99_ms": cpu_summary["p99"],
        "index_found": round(
            sum(ok for values in index_ok.values() for ok in values) / len(all_index), 3
        ),
        "scan_queries": len(scan_ms),
        "scan_p50_ms": scan_summary["p50"],
        "scan_p99_ms": scan_summary["p99"],
        "scan_max_ms": scan_summary["max"],
        "scan_found": round(sum(scan_ok) / len(scan_ok), 3),
        "speedup_p50": round(speedup, 1),
        "target_ms": TARGET_MS,
        "met": index_summary["p99"] <= TARGET_MS,
        "met_cpu": cpu_summary["p99"] <= TARGET_MS,
    }
    emit(result, machine)


if __name__ == "__main__":
    main()
