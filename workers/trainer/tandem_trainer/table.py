"""Text tables in the style of the paper's Table 2 (pixel level) and Table 3 (image level)."""
from __future__ import annotations

COLUMNS = (("sensitivity", "Sensitivity"), ("specificity", "Specificity"), ("precision", "Precision"),
           ("f1", "F1"), ("f2", "F2"), ("accuracy", "Accuracy"))


def _pct(value) -> str:
    return "-" if value is None else f"{100 * value:.2f}"


def _cell(metric: dict, with_ci: bool) -> str:
    if not with_ci or metric.get("ci") is None:
        return _pct(metric.get("value"))
    return f"{_pct(metric['value'])} ± {100 * metric['ci']:.2f}"


def format_table(title: str, rows: list[tuple[str, dict]], with_ci: bool) -> str:
    """rows: (name, summary) where summary maps metric -> {"value", "ci"} plus "roc_auc"."""
    header = ["", *[label for _, label in COLUMNS], "AUC"]
    body = []
    for name, summary in rows:
        cells = [_cell(summary[key], with_ci) for key, _ in COLUMNS]
        body.append([name, *cells, _pct(summary.get("roc_auc"))])
    widths = [max(len(str(r[i])) for r in [header, *body]) for i in range(len(header))]
    lines = [title, "  ".join(h.rjust(w) for h, w in zip(header, widths))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in body]
    return "\n".join(lines)
