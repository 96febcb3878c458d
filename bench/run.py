"""Run the three benchmarks (`make bench`): the fresh converge against the bare
package installs, the idempotent re-run, and Monday-morning loads of the hub.

    python bench/run.py [--loads 20,50] [--keep]

Results go to bench/results/ (JSON and PNG); see bench/README.md."""

import argparse

import benchlib
import converge
import load


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", default="20,50", help="comma-separated numbers of members logging in at once")
    parser.add_argument("--keep", action="store_true", help=f"leave {benchlib.SITE} running afterwards")
    parser.add_argument("--small-team", type=int, default=10, help="members of the extra converge benchmark (0: none)")
    parser.add_argument("--skip-converge", action="store_true", help=f"reuse a running {benchlib.SITE} (load benchmarks only)")
    args = parser.parse_args()
    loads = [int(n) for n in args.loads.split(",") if n]
    try:
        if not args.skip_converge:
            if args.small_team:
                converge.main(members=args.small_team)
            converge.main(members=max(loads + [1]), keep=True)
        for count in loads:
            load.main(count)
    finally:
        if not args.keep:
            benchlib.remove_container(benchlib.SITE)


if __name__ == "__main__":
    main()
