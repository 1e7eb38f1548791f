"""The list of supported primitives, as text and as ``docs/rules.md``.

Both come from the rule registry itself, so they cannot drift from it.
"""

from srcgrad.rules import default_rules


def _kind(rules, name):
    target = rules.resolve_alias(name)
    rule = rules.get(name)
    if target != name:
        return f"same as {target}"
    if rule.nondiff:
        return "no gradient"
    params = ", ".join(rule.vjp)
    return f"gradient for {params}" + (", forward rule" if rule.jvp else "")


def rule_lines(rules=None):
    """One line per primitive: its qualified name and what srcgrad knows of it."""
    rules = rules or default_rules()
    names = rules.names()
    width = max(len(n) for n in names)
    return [f"{n:<{width}}  {_kind(rules, n)}" for n in names]


def rules_markdown(rules=None):
    """The text of ``docs/rules.md``."""
    rules = rules or default_rules()
    names = rules.names()
    diff = [n for n in names if rules.resolve_alias(n) == n and not rules.get(n).nondiff]
    nondiff = [n for n in names if rules.resolve_alias(n) == n and rules.get(n).nondiff]
    aliases = [n for n in names if rules.resolve_alias(n) != n]
    out = [
        "# Supported primitives",
        "",
        "Generated from the rule registry by `python -m srcgrad rules --markdown`;",
        "`tests/test_listing.py` checks that this page is current.",
        "What the rules do at ties, kinks, singular matrices and repeated eigenvalues, and",
        "why complex inputs are refused: [numpy.md](numpy.md).",
        "",
        f"{len(names)} names: {len(diff)} differentiable, {len(nondiff)} without a gradient "
        f"(their results are constants), {len(aliases)} aliases.",
        "",
        "## Differentiable",
        "",
        "| primitive | gradient with respect to | forward rule |",
        "|---|---|---|",
    ]
    for n in diff:
        rule = rules.get(n)
        out.append(f"| `{n}` | {', '.join(f'`{p}`' for p in rule.vjp)} | "
                   f"{'yes' if rule.jvp else 'no'} |")
    out += ["", "## Without a gradient", "", ", ".join(f"`{n}`" for n in nondiff), "",
            "## Aliases", "", "| name | same as |", "|---|---|"]
    for n in aliases:
        out.append(f"| `{n}` | `{rules.resolve_alias(n)}` |")
    return "\n".join(out) + "\n"
