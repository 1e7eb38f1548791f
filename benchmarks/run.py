"""Time srcgrad against hand-written gradients on the benchmark programs.

    python benchmarks/run.py               # full sizes
    python benchmarks/run.py --quick       # small sizes, few repeats (CI smoke)
    python benchmarks/run.py --only rnn    # one program (repeatable, or a,b)

For each program the srcgrad gradient is first checked against the
hand-written one (np.allclose), then the forward function, the hand-written
gradient and the srcgrad gradient are timed, taking turns: best of
``--repeat`` runs of a timeit-style automatic loop count, in CPU time
(``--clock wall`` for elapsed time).  A markdown table follows.  If srcgrad
fails on a program (or its gradient is wrong) the row says so, the other
programs still run, and the exit status is 1.

BLAS is limited to one thread (unless OPENBLAS_NUM_THREADS / OMP_NUM_THREADS /
MKL_NUM_THREADS are already set) so that timings are stable.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import textwrap  # noqa: E402
import time  # noqa: E402
import timeit  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from benchmarks.programs import BY_NAME, PROGRAMS  # noqa: E402

TARGET_VS_HAND = 1.3  # srcgrad grad / hand-written grad, every program
TARGET_VS_FORWARD = 3.0  # srcgrad grad / forward, loop programs
RTOL = 1e-6
ATOL = 1e-9

MODES = {
    # size passed to make_inputs, minimum seconds per timed run, repeats
    "full": ("full", 0.2, 5),
    "quick": ("quick", 0.002, 3),
}


def autorange(timer, min_time):
    """Like ``Timer.autorange`` but with a chosen minimum time per run."""
    number = 1
    while True:
        for mult in (1, 2, 5):
            n = number * mult
            if timer.timeit(n) >= min_time:
                return n
        number *= 10


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def best_times(fns, args, min_time, repeat, clock="cpu"):
    """Seconds per call of each ``fn(*args)``: the best over ``repeat`` rounds, and each
    round's times.

    The functions take turns within each round, so that a change in the
    machine's load during the run touches them all alike; ratios are taken
    within a round (see :func:`ratio`).
    """
    timers = [timeit.Timer(lambda fn=fn: fn(*args), timer=CLOCKS[clock]) for fn in fns]
    numbers = [autorange(t, min_time) for t in timers]
    rounds = []
    for _ in range(repeat):
        rounds.append([t.timeit(n) / n for t, n in zip(timers, numbers)])
    return [min(r[k] for r in rounds) for k in range(len(fns))], rounds


def ratio(rounds, num, den):
    """The median over rounds of the time of function ``num`` over that of ``den``.

    The two ran back to back in each round, so a change of the machine's load
    between rounds cancels; the best times of the two may come from different
    rounds, and their ratio moved by up to 20% between runs on a shared machine.
    """
    return statistics.median(r[num] / r[den] for r in rounds)


def fmt_time(seconds):
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def fmt_ratio(value, target=None):
    if value is None:
        return "-"
    text = f"{value:.2f}"
    if target is not None:
        text += " ok" if value <= target else f" MISS (>{target:g})"
    return text


def as_tuple(grads):
    return tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)


def compare(program, got, want):
    """(ok, message): does srcgrad's gradient ``got`` match ``want``?"""
    got, want = as_tuple(got), as_tuple(want)
    if len(got) != len(want):
        return False, f"srcgrad returned {len(got)} gradients, expected {len(want)}"
    worst = 0.0
    for index, g, w in zip(program.wrt, got, want, strict=True):
        if np.shape(g) != np.shape(w):
            return False, f"d/d(arg {index}): shape {np.shape(g)}, expected {np.shape(w)}"
        g = np.asarray(g, dtype=float)
        w = np.asarray(w, dtype=float)
        if not np.allclose(g, w, rtol=RTOL, atol=ATOL):
            err = float(np.max(np.abs(g - w)))
            return False, f"d/d(arg {index}) differs: max abs error {err:.3g}"
        scale = max(float(np.max(np.abs(w), initial=0.0)), ATOL)
        worst = max(worst, float(np.max(np.abs(g - w), initial=0.0)) / scale)
    return True, f"matches hand-written (max error / max |grad| = {worst:.1e})"


def short_error(exc):
    first = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {first[0]}" if first else type(exc).__name__


def run_program(program, size, min_time, repeat, use_srcgrad, log, clock="cpu"):
    """Check and time one program; returns a result dict."""
    res = {
        "name": program.name,
        "forward": None,
        "hand": None,
        "srcgrad": None,
        "error": None,
        "detail": None,
        "wrong": False,
    }
    args = program.make_inputs(size)
    grad_fn = None
    if use_srcgrad:
        try:
            import srcgrad

            grad_fn = srcgrad.grad(program.forward, wrt=program.wrt)
            start = time.perf_counter()
            got = grad_fn(*args)
            first_call = time.perf_counter() - start
        except Exception as exc:  # report it in the table, carry on
            res["error"] = short_error(exc)
            res["detail"] = f"{type(exc).__name__}: {exc}"
            log(f"- {program.name}: srcgrad FAILED: {res['error']}")
            grad_fn = None
        else:
            ok, message = compare(program, got, program.hand_grad(*args))
            res["wrong"] = not ok
            verdict = "OK" if ok else "MISMATCH"
            log(
                f"- {program.name}: srcgrad gradient {verdict}: {message}"
                f" (first call {fmt_time(first_call)})"
            )
    fns = [program.forward, program.hand_grad]
    try:
        times, rounds = best_times(fns + ([grad_fn] if grad_fn is not None else []), args,
                                   min_time, repeat, clock)
    except Exception as exc:
        res["error"] = short_error(exc)
        res["detail"] = f"{type(exc).__name__}: {exc}"
        log(f"- {program.name}: srcgrad FAILED while timing: {res['error']}")
        times, rounds = best_times(fns, args, min_time, repeat, clock)
    res["forward"], res["hand"] = times[:2]
    res["hand/forward"] = ratio(rounds, 1, 0)
    if len(times) > 2:
        res["srcgrad"] = times[2]
        res["srcgrad/hand"] = ratio(rounds, 2, 1)
        res["srcgrad/forward"] = ratio(rounds, 2, 0)
    return res


def table(results, programs, use_srcgrad):
    head = [
        "program",
        "forward",
        "hand-written grad",
        "srcgrad grad",
        "srcgrad / hand-written",
        "srcgrad grad / forward",
        "hand-written / forward",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    for res in results:
        program = programs[res["name"]]
        if not use_srcgrad:
            sg_cell = "(skipped)"
        elif res["error"]:
            sg_cell = "ERROR: " + res["error"].replace("|", "\\|")
        else:
            sg_cell = fmt_time(res["srcgrad"]) + (" (WRONG)" if res["wrong"] else "")
        fwd_target = TARGET_VS_FORWARD if program.has_loop else None
        cells = [
            res["name"],
            fmt_time(res["forward"]),
            fmt_time(res["hand"]),
            sg_cell,
            fmt_ratio(res.get("srcgrad/hand"), TARGET_VS_HAND),
            fmt_ratio(res.get("srcgrad/forward"), fwd_target),
            fmt_ratio(res.get("hand/forward")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes and few repeats (a CI smoke run)"
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"run only this program (repeatable; one of {', '.join(BY_NAME)})",
    )
    parser.add_argument(
        "--skip-srcgrad",
        action="store_true",
        help="time only the forward and hand-written gradients",
    )
    parser.add_argument("--repeat", type=int, help="timed runs per measurement (best is kept)")
    parser.add_argument(
        "--min-time", type=float, help="minimum seconds per timed run (sets the loop count)"
    )
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="cpu",
        help="cpu: the process's CPU time (default; steady on a shared machine); wall: elapsed",
    )
    args = parser.parse_args(argv)
    names = []
    for item in args.only or []:
        names += [n.strip() for n in item.split(",") if n.strip()]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown program(s) {', '.join(unknown)}; choose from {', '.join(BY_NAME)}")
    args.names = names or [p.name for p in PROGRAMS]
    return args


def main(argv=None):
    args = parse_args(argv)
    mode = "quick" if args.quick else "full"
    size, min_time, repeat = MODES[mode]
    min_time = args.min_time if args.min_time is not None else min_time
    repeat = args.repeat if args.repeat is not None else repeat
    use_srcgrad = not args.skip_srcgrad

    def log(line):
        print(line, flush=True)

    log(f"# srcgrad benchmarks ({mode} sizes)")
    log("")
    log(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()}, BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS')}; "
        f"best of {repeat} runs, each at least {min_time:g} s of {args.clock} time; "
        "ratios are medians of the ratios within each run"
    )
    log("")
    if use_srcgrad:
        log(f"Correctness (srcgrad vs hand-written, np.allclose rtol={RTOL:g} atol={ATOL:g}):")
    results = []
    for name in args.names:
        results.append(run_program(BY_NAME[name], size, min_time, repeat, use_srcgrad, log,
                                   args.clock))
    log("")
    log(table(results, BY_NAME, use_srcgrad))
    log("")
    log(
        f"Targets (shown, not enforced): srcgrad / hand-written <= {TARGET_VS_HAND:g} on every "
        f"program; srcgrad grad / forward <= {TARGET_VS_FORWARD:g} on the loop programs "
        f"({', '.join(p.name for p in PROGRAMS if p.has_loop)})."
    )
    failed = [r["name"] for r in results if use_srcgrad and (r["error"] or r["wrong"])]
    if failed:
        log("")
        log(f"srcgrad failed or was wrong on: {', '.join(failed)}")
        for res in results:
            if res["detail"]:
                log("")
                log(f"{res['name']}:")
                log(textwrap.indent(res["detail"], "    "))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
