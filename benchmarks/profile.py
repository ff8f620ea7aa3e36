"""Profile one ``steward`` command on a generated organisation, stand-ins running.

    python -m benchmarks.profile --size M [--top 40] [--sort cumulative] -- ingest
    python -m benchmarks.profile --size L -- scorecard run

runs ``steward <args> --config bench-data/<size>/steward.yaml`` under cProfile in a fresh process
and prints the top functions (the ``.prof`` file stays in ``benchmarks/results/`` for snakeviz or
``python -m pstats``). The organisation is generated first when missing.
"""

from __future__ import annotations

import argparse
import pstats
import sys

from benchmarks import generate
from benchmarks.measure import ROOT, run
from benchmarks.run import RESULTS, standins

RUNNER = (
    "import sys, cProfile; from service.cli import main; out = sys.argv[1]; "
    "sys.argv = ['steward'] + sys.argv[2:]; "
    "cProfile.run('try:\\n    main()\\nexcept SystemExit:\\n    pass', out)"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", default="S")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("args", nargs="+")
    args = parser.parse_args()
    data = generate.DEFAULT_OUT / args.size.upper()
    if not (data / "manifest.json").is_file():  # whatever is there is profiled as it is
        data = generate.ensure(args.size.upper())
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"profile-{args.size}-{'-'.join(args.args)}.prof"
    with standins(data) as env:
        timing = run(
            [sys.executable, "-c", RUNNER, str(out), *args.args, "--config",
             str(data / "steward.yaml")],
            env=env, cwd=ROOT,
        )  # fmt: skip
    print(f"# {timing.seconds:.2f} s wall (profiled), exit {timing.returncode}", file=sys.stderr)
    pstats.Stats(str(out)).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
