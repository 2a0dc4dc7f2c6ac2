"""Text tables of backtest and tuning reports."""

from __future__ import annotations

from typing import Any


def _f(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _weight(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def models_table(models: dict[str, Any]) -> list[str]:
    head = f"{'model':<12} {'AUC':>6} {'PR-AUC':>7}"
    for share in ("5%", "10%", "20%"):
        head += f" {'P@' + share:>7} {'R@' + share:>7}"
    out = [head + f" {'R@20%lines':>10}"]
    for name, m in models.items():
        line = f"{name:<12} {_f(m['auc']):>6} {_f(m['pr_auc']):>7}"
        for share in ("5%", "10%", "20%"):
            top = m["at_top"][share]
            line += f" {_pct(top['precision']):>7} {_pct(top['recall']):>7}"
        out.append(line + f" {_pct(m['effort_aware']['recall']):>10}")
    return out


def backtest_text(report: dict[str, Any]) -> str:
    out = [f"rules {report['rules_version']}: {report['changes']} changes since "
           f"{report['period']['since']}, {report['failed']} failed (base rate {_pct(report['base_rate'])})",
           "", *models_table(report["models"]), "",
           f"{'rule':<36} {'weight':>7} {'support':>8} {'failed':>6} {'precision':>9} {'recall':>7} "
           f"{'lift':>5}"]
    for r in report["rules"]:
        out.append(f"{r['rule']:<36} {r['weight']:>7.2f} {r['support']:>8} {r['failed']:>6} "
                   f"{_pct(r['precision']):>9} {_pct(r['recall']):>7} {_f(r['lift'], 2):>5}")
    out += ["", f"{'tier':<10} {'changes':>8} {'share':>6} {'failed':>6} {'precision':>9}  verification"]
    for t in report["tiers"]:
        out.append(f"{t['tier']:<10} {t['changes']:>8} {_pct(t['share']):>6} {t['failed']:>6} "
                   f"{_pct(t['precision']):>9}  {'; '.join(t['verification'])}")
    return "\n".join(out)


def tune_text(report: dict[str, Any]) -> str:
    train = report["train"]
    out = [f"trained on {train['changes']} changes before {report['split']}, {train['failed']} failed "
           f"(base rate {_pct(train['base_rate'])})", "", "new path categories:"]
    out += [f"  {c['glob']:<28} -> {c['category']}: {c['evidence']}" for c in report["learned_categories"]]
    if not report["learned_categories"]:
        out.append("  (none)")
    out += ["", f"{'rule':<40} {'before':>7} {'after':>7}"]
    for w in report["weights"]:
        out.append(f"{w['rule']:<40} {_weight(w['before']):>7} {_weight(w['after']):>7}")
    before, after = report["before"], report["after"]
    models = {"before": before["models"]["rules"], "after": after["models"]["rules"],
              "lines_added": after["models"]["lines_added"], "random": after["models"]["random"]}
    out += ["", f"held-out: {after['changes']} changes since {report['split']}, {after['failed']} failed",
            *models_table(models)]
    if "written" in report:
        out += ["", f"tuned rules written to {report['written']}"]
    return "\n".join(out)
