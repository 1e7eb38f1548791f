"""``python -m srcgrad``: command-line entry points.

Only ``rules`` exists so far; the command that writes gradient modules next
to the user's files is planned.
"""

import argparse
import sys

USAGE = """\
python -m srcgrad rules [--markdown]

commands:
  rules         list every primitive srcgrad can differentiate, one per line,
                with its module (numpy.tanh, math.exp, operator.mul, ...)

examples:
  python -m srcgrad rules | grep linalg
  python -m srcgrad rules --markdown > docs/rules.md
"""


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m srcgrad", usage=USAGE,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    rules = sub.add_parser("rules", help="list the supported primitives")
    rules.add_argument("--markdown", action="store_true", help="print docs/rules.md instead")
    args = parser.parse_args(argv)
    if args.command != "rules":
        parser.print_usage(sys.stderr)
        print("python -m srcgrad: error: name a command (rules)", file=sys.stderr)
        return 2
    from srcgrad.listing import rule_lines, rules_markdown

    if args.markdown:
        sys.stdout.write(rules_markdown())
    else:
        sys.stdout.write("\n".join(rule_lines()) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
