"""The ``srcgrad`` command: gradient files written next to the user's code.

``srcgrad model.py loss --wrt W`` reads ``model.py`` without importing it and
writes ``model_grad.py`` (see :mod:`srcgrad.gradfile`).  ``srcgrad rules``
lists the supported primitives.

Exit status: 0 success (or, with ``--check``, everything up to date); 1 with
``--check``, some gradient file is missing or out of date; 2 an error in the
input (bad options, a file that cannot be read or written, a function that
cannot be differentiated, an edited file not overwritten); 3 an internal
error in srcgrad itself.
"""

import argparse
import difflib
import os
import sys
import tempfile
import traceback

OK, STALE, ERROR, INTERNAL = 0, 1, 2, 3

DESCRIPTION = """\
Write the gradient of functions in FILE.py to FILE_grad.py, next to it.

srcgrad reads FILE.py as text: it never imports or runs it. Names are
resolved from the file's imports (import numpy as np, from numpy import
tanh), its module-level functions and constants, and sibling modules in the
same directory or package. The generated file defines <func>_vjp(params...,
dout=1.0) returning (value, gradient) for each function, or with --mode
forward <func>_jvp(params..., tangents...) returning (value, tangent).
"""

EPILOG = """\
examples:
  srcgrad model.py                     every public function, each w.r.t. its first parameter
  srcgrad model.py loss --wrt W,b      loss only, with respect to W and b
  srcgrad model.py --stdout            print the gradient module instead of writing it
  srcgrad model.py --diff              show what regenerating would change
  srcgrad --check model.py             exit 1 if model_grad.py is missing or out of date
  srcgrad --sync src/*.py              regenerate every existing gradient file, as it was made
  srcgrad rules | grep linalg          list the primitives srcgrad has rules for

exit status:
  0  success; with --check, every gradient file is up to date
  1  with --check: a gradient file is missing or out of date
  2  an error in the input: bad options, unreadable or unwritable files, code that
     cannot be differentiated, a generated file edited by hand (see --force)
  3  an internal error in srcgrad (please report it)
"""

RULES_USAGE = """\
srcgrad rules [--markdown]

  list every primitive srcgrad can differentiate, one per line, with its
  module (numpy.tanh, math.exp, operator.mul, ...)

examples:
  srcgrad rules | grep linalg
  srcgrad rules --markdown > docs/rules.md
"""


class Reporter:
    """Messages on stderr, filtered by --quiet and --verbose; data on stdout."""

    def __init__(self, quiet=False, verbose=False):
        self.quiet = quiet
        self.verbose = verbose

    def info(self, msg):
        if not self.quiet:
            print(msg, file=sys.stderr)

    def detail(self, msg):
        if self.verbose and not self.quiet:
            print(msg, file=sys.stderr)

    def error(self, msg):
        print(msg, file=sys.stderr)


def _parser(prog):
    p = argparse.ArgumentParser(
        prog=prog, description=DESCRIPTION, epilog=EPILOG,
        usage=f"{prog} FILE.py [FILE.py ...] [FUNC ...] [options]\n       {prog} rules "
              "[--markdown]",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("targets", nargs="*", metavar="FILE.py | FUNC",
                   help="source files (ending in .py) and the functions to differentiate "
                        "(default: every public module-level function)")
    p.add_argument("--wrt", metavar="NAME[,NAME]",
                   help="parameters to differentiate with respect to (default: each "
                        "function's first parameter)")
    p.add_argument("--mode", choices=("reverse", "forward"), default="reverse",
                   help="reverse mode (vector-Jacobian products, <func>_vjp; the default) "
                        "or forward mode (Jacobian-vector products, <func>_jvp)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", metavar="OUT",
                     help="write to OUT instead of FILE_grad.py (one source file only)")
    out.add_argument("--stdout", action="store_true",
                     help="print the generated module on stdout; write nothing")
    p.add_argument("--standalone", action="store_true",
                   help="copy the srcgrad runtime helpers into the file, so that running it "
                        "needs only numpy (and your module)")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if a gradient file is missing or out of date")
    p.add_argument("--diff", action="store_true",
                   help="write nothing; print a unified diff of what would change")
    p.add_argument("--force", action="store_true",
                   help="overwrite a gradient file even if it was edited by hand")
    p.add_argument("--sync", action="store_true",
                   help="regenerate the existing gradient file of each FILE.py (or each "
                        "FILE_grad.py given) with the options recorded in its header; "
                        "files without one are skipped (for pre-commit)")
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    p.add_argument("-v", "--verbose", action="store_true", help="say what is done for each file")
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    return p


def _version():
    from srcgrad import __version__

    return __version__


def main(argv=None, prog=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    prog = prog or _prog_name()
    if argv[:1] == ["rules"]:
        return rules_main(argv[1:], f"{prog} rules")
    parser = _parser(prog)
    args = parser.parse_args(argv)
    report = Reporter(args.quiet, args.verbose)
    try:
        return _run(args, parser, report)
    except KeyboardInterrupt:
        report.error("srcgrad: interrupted; no file was left half-written")
        return ERROR
    except Exception:  # noqa: BLE001 - a bug in srcgrad: say so, with the traceback
        report.error("srcgrad: internal error (a bug in srcgrad; please report it with "
                     "this message):\n" + traceback.format_exc().rstrip())
        return INTERNAL


def _prog_name():
    base = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "srcgrad"
    return "python -m srcgrad" if base in ("__main__.py", "-c", "") else "srcgrad"


def rules_main(argv, prog="srcgrad rules"):
    parser = argparse.ArgumentParser(prog=prog, usage=RULES_USAGE,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--markdown", action="store_true", help="print docs/rules.md instead")
    args = parser.parse_args(argv)
    from srcgrad.listing import rule_lines, rules_markdown

    if args.markdown:
        sys.stdout.write(rules_markdown())
    else:
        sys.stdout.write("\n".join(rule_lines()) + "\n")
    return OK


# -- the gradient command --------------------------------------------------------------
def _run(args, parser, report):
    from srcgrad.gradfile import Recipe

    files = [t for t in args.targets if t.endswith(".py")]
    funcs = [t for t in args.targets if not t.endswith(".py")]
    bad = [f for f in funcs if not f.isidentifier()]
    if bad:
        parser.error(f"{bad[0]!r} is neither a .py file nor a function name")
    if not files:
        parser.error("name a Python file (FILE.py) to differentiate")
    if args.output and len(files) > 1:
        parser.error("-o/--output takes one source file")
    wrt = tuple(w.strip() for w in args.wrt.split(",")) if args.wrt else ()
    if any(not w.isidentifier() for w in wrt):
        parser.error(f"--wrt {args.wrt!r}: give parameter names separated by commas")
    if args.sync and (funcs or wrt or args.output or args.stdout or args.standalone):
        parser.error("--sync takes the options recorded in each gradient file; give only files")
    jobs = _sync_jobs(files, report) if args.sync else [
        (Recipe(f, tuple(funcs), wrt, args.mode, args.standalone), args.output) for f in files]
    if jobs is None:
        return ERROR
    status = OK
    for recipe, out in jobs:
        status = max(status, _one(recipe, out, args, report))
    return status


def _sync_jobs(files, report):
    from srcgrad.gradfile import SUFFIX, Recipe, default_output

    jobs, seen = [], set()
    for f in files:
        generated = f if f.endswith(SUFFIX) and _header_of(f) else default_output(f)
        header = _header_of(generated)
        if header is None:
            report.detail(f"{f}: no gradient file, skipped")
            continue
        if "command" not in header:
            report.error(f"srcgrad: error: {generated} has no srcgrad-command line; regenerate "
                         "it once by naming its source")
            return None
        key = os.path.abspath(generated)
        if key in seen:
            continue
        seen.add(key)
        try:
            recipe = Recipe.from_command(header["command"], os.path.dirname(generated) or ".")
        except ValueError:
            report.error(f"srcgrad: error: {generated}: cannot read its srcgrad-command line "
                         f"{header['command']!r}")
            return None
        jobs.append((recipe, generated))
    return jobs


def _header_of(path):
    from srcgrad.gradfile import read_header

    try:
        with open(path, encoding="utf-8") as fh:
            return read_header(fh.read())
    except (OSError, UnicodeDecodeError):
        return None


def _one(recipe, out, args, report):
    """Generate one gradient file; returns an exit status."""
    from srcgrad.errors import SrcgradError, TransformError
    from srcgrad.gradfile import GenerationError, build, default_output, is_edited, read_header

    out = out or default_output(recipe.source)
    if not os.path.isfile(recipe.source):
        report.error(f"srcgrad: error: {recipe.source}: no such file")
        return ERROR
    own = _header_of(recipe.source)
    if own is not None:
        report.error(f"srcgrad: error: {recipe.source} is a file srcgrad generated; run srcgrad "
                     "on the source it came from (see its srcgrad-command line), or use --sync")
        return ERROR
    report.detail(f"{recipe.source}: reading (not importing) it")
    try:
        text, names = build(recipe, out)
    except NotImplementedError:
        report.error(f"srcgrad: error: --mode {recipe.mode} is not available yet; use "
                     "--mode reverse")
        return ERROR
    except GenerationError as exc:
        for e in exc.errors:
            report.error(str(e))
        n = len(exc.errors)
        hint = "" if recipe.functions else (
            f" (to differentiate only some functions, name them: srcgrad {recipe.source} FUNC)")
        report.error(f"srcgrad: error: {recipe.source}: {n} function{'s' * (n != 1)} could "
                     f"not be differentiated; nothing written{hint}")
        return ERROR
    except TransformError as exc:  # located: file:line:col, the line, a caret
        report.error(str(exc))
        return ERROR
    except SrcgradError as exc:
        report.error(f"srcgrad: error: {exc}")
        return ERROR
    except (OSError, UnicodeDecodeError) as exc:
        report.error(f"srcgrad: error: cannot read {recipe.source}: {exc}")
        return ERROR
    report.detail(f"{recipe.source}: differentiated {', '.join(names)}")
    if args.stdout:
        sys.stdout.write(text)
        return OK
    try:
        with open(out, encoding="utf-8") as fh:
            old = fh.read()
    except (FileNotFoundError, NotADirectoryError):
        old = None
    except (OSError, UnicodeDecodeError) as exc:
        report.error(f"srcgrad: error: cannot read {out}: {exc}")
        return ERROR
    if args.diff and old != text:
        sys.stdout.writelines(difflib.unified_diff(
            (old or "").splitlines(True), text.splitlines(True),
            fromfile=f"{out} (current)" if old is not None else "/dev/null",
            tofile=f"{out} (regenerated)"))
    if old == text:
        report.detail(f"{out} is up to date")
        return OK
    if args.check:
        why = "missing" if old is None else (
            "edited by hand" if is_edited(old) else "out of date")
        report.info(f"would regenerate {out} ({why})")
        return STALE
    if args.diff:
        return OK
    if old is not None and not args.force:
        if read_header(old) is None:
            report.error(f"srcgrad: error: {out} exists and was not written by srcgrad; not "
                         "overwriting it (move it away, choose another file with -o, or pass "
                         "--force)")
            return ERROR
        if is_edited(old):
            report.error(f"srcgrad: error: {out} was edited by hand since srcgrad wrote it (its "
                         "code no longer matches the hash in its header); not overwriting it. "
                         f"Move the changes into {recipe.source}, or pass --force to discard "
                         "them (--diff shows them)")
            return ERROR
    try:
        write_atomic(out, text)
    except OSError as exc:
        report.error(f"srcgrad: error: cannot write {out}: {exc.strerror or exc}")
        return ERROR
    report.info(f"wrote {out} ({', '.join(names)})")
    return OK


def write_atomic(path, text):
    """Write ``text`` to ``path`` through a temporary file and a rename.

    An interrupted run leaves either the old file or the new one, never a
    half-written one.
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


if __name__ == "__main__":
    sys.exit(main())
