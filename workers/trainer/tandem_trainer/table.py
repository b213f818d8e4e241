"""Text tables in the style of the paper's Table 2 (pixel level) and Table 3 (image level)."""
from __future__ import annotations

COLUMNS = (
    ("sensitivity", "Sensitivity"),
    ("specificity", "Specificity"),
    ("precision", "Precision"),
    ("f1", "F1"),
    ("f2", "F2"),
    ("accuracy", "Accuracy"),
)


def _pct(value) -> str:
    return "-" if value is None else f"{100 * value:.2f}"


def _interval(interval) -> str:
    return "" if not interval else f" [{_pct(interval[0])}, {_pct(interval[1])}]"


def _cell(metric: dict, with_ci: bool) -> str:
    """value ± eq. 13 radius, then the image-level bootstrap (or Wilson) interval when known."""
    if not with_ci or (metric.get("ci") is None and not metric.get("boot")):
        return _pct(metric.get("value"))
    radius = "" if metric.get("ci") is None else f" ± {100 * metric['ci']:.2f}"
    return f"{_pct(metric['value'])}{radius}{_interval(metric.get('boot'))}"


def format_dice(dice: dict) -> str:
    if not dice or dice.get("mean") is None:
        return "Per-image Dice (COVID-19 images): -"
    return (
        f"Per-image Dice over {dice['n']} COVID-19 images: mean {_pct(dice['mean'])}"
        f"{_interval(dice.get('mean_interval'))} (bootstrap 95% CI), median {_pct(dice['median'])}"
    )


def _rate(entry: dict) -> str:
    return f"{_pct(entry['value'])}{_interval(entry.get('interval'))}"


def _rule_text(rule: dict) -> str:
    if rule.get("kind") == "presence":
        return f"presence probability >= {rule['threshold']:.4f}"
    return f"component >= {100 * rule['min_area']:.2f}% of the image at prob >= {rule['threshold']:.2f}"


def format_detection(report: dict | None) -> str:
    if not report:
        return "Detection: needs both COVID-19 images and controls"
    lines = [f"COVID-19 detection rules (calibrated on {report['source']} predictions; %, Wilson 95% CI)"]
    paper = report["paper_rule"]
    lines.append(
        f"  paper rule (any pixel >= 0.5): sensitivity {_rate(paper['sensitivity'])}, "
        f"specificity {_rate(paper['specificity'])}"
    )
    calibrated = report.get("calibrated")
    rules = [("calibrated", calibrated)]
    for other, name in ((report.get("component"), "component rule"), (report.get("presence_rule"), "presence rule")):
        if other and other is not calibrated and other.get("kind") != calibrated.get("kind"):
            rules.append((name, other))
    for name, cal in rules:
        if not cal:
            continue
        lines.append(
            f"  {name} ({_rule_text(cal)}, target sensitivity {100 * cal['target_sensitivity']:.0f}%"
            f"{'' if cal['reached'] else ', NOT reached'}): sensitivity {_rate(cal['sensitivity'])}, "
            f"specificity {_rate(cal['specificity'])}"
        )
    nested = report.get("nested")
    if nested:
        thresholds = ", ".join(f"{f['threshold']:.4g}" for f in nested["folds"])
        kinds = ", ".join(f["kind"] for f in nested["folds"])
        lines.append(
            f"  nested (each fold scored with the rule chosen and calibrated on the other folds: "
            f"{kinds}; thresholds {thresholds}): sensitivity {_rate(nested['sensitivity'])}, "
            f"specificity {_rate(nested['specificity'])}"
        )
    if report.get("presence_table"):
        lines.append(f"  {'presence >=':>11}  {'sensitivity':>22}  {'specificity':>22}")
        for row in report["presence_table"]:
            lines.append(
                f"  {row['threshold']:>11.4g}  {_rate(row['sensitivity']):>22}  {_rate(row['specificity']):>22}"
            )
    if not report["table"]:
        return "\n".join(lines)
    lines.append(
        f"  {'threshold':>9}  {'sensitivity':>22}  {'specificity':>22}   (min component "
        f"{100 * report['table'][0]['min_area']:.2f}%)"
    )
    for row in report["table"]:
        lines.append(f"  {row['threshold']:>9.2f}  {_rate(row['sensitivity']):>22}  {_rate(row['specificity']):>22}")
    return "\n".join(lines)


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
