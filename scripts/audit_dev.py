"""Measure the report audit on the dev reports: planted failures found, false alarms, and the findings.

.venv/bin/python scripts/audit_dev.py [--all] [--report NAME]

Each dev report is loaded from its published form (txt, docx, pdf, hard-wrapped extract). A corpus report's
checks.json lists its arithmetic relations with `holds`; the seed's known failures are listed below. A failing
finding counts as a planted failure found when the value it reports as stated is one of the planted
relation's stated values; any other failing finding is a false alarm, unless it is one of the seed's other
real failures (issue 13). --all prints the relations that hold too. --heldout measures the held-out reports of
seeds/heldout/ and prints only their counts (planted failures found, false alarms), so that nobody tunes on them.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.figures.audit import AuditFinding, audit_report, failing
from index.chunking import chunk_document
from index.loaders import load_document

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@dataclass
class Check:
    """One relation of a report that fails: what it is and the values a finding must report as stated."""

    claim: str
    stated: tuple[float, ...]
    required: bool = True  # a planted (or known) failure; False: a real failure the audit may also find
    text: str = ""  # or the text a finding reports as stated (an outline marker)


@dataclass
class DevReport:
    name: str
    path: Path
    checks: list[Check] = field(default_factory=list)


def _numbers(text: str) -> tuple[float, ...]:
    return tuple(float(m.group(0).replace(",", "")) for m in _NUMBER.finditer(text))


def _seed() -> DevReport:
    path = next((ROOT / "seeds").glob("*.txt"))
    checks = [
        Check("机关运行经费完成预算85.65%（56.40÷65.85 颠倒）", (85.65,)),
        Check("预算总收入前后不一致 18,977.96 / 21,766.40", (18977.96, 21766.40)),
        Check("基本支出年度预算1,180.85元（元/万元）", (1180.85,)),
        Check("项目支出17,865.48元（元/万元）", (17865.48,)),
        Check("得满分4.4分，而该项分值应为50−10−10−25=5（issue 13）", (4.4, 49.4), required=False),
        Check("设定的5个关键性二级指标，列出4个（issue 13）", (5.0,), required=False),
        Check("一、基本情况下两个（三）（issue 13）", (), required=False, text="（三）"),
    ]
    return DevReport("seed", path, checks)


def _corpus(folder: str, published: str, root: Path = ROOT / "seeds" / "corpus") -> DevReport:
    base = root / folder
    relations = json.loads((base / "checks.json").read_text(encoding="utf-8"))
    checks = [
        Check(r["claim"], _numbers(r["stated"])) if _numbers(r["stated"]) else Check(r["claim"], (), text=r["stated"])
        for r in relations
        if not r["holds"]
    ]
    return DevReport(folder, base / published, checks)


def dev_reports() -> list[DevReport]:
    """Return the four dev reports in their published forms, with their failing relations."""
    return [
        _seed(),
        _corpus("minzheng-2023", "report.docx"),
        _corpus("jiaotong-2024", "report.pdf"),
        _corpus("shengtai-2022", "report_extract.txt"),
    ]


def heldout_reports() -> list[DevReport]:
    """Return the held-out reports (seeds/heldout/suite.toml) in their published forms, with their failing relations."""
    from assistant.evaluation.suite import load_suite

    root = ROOT / "seeds" / "heldout"
    return [
        _corpus(report.documents[0].parent.name, report.documents[0].name, root)
        for report in load_suite(root / "suite.toml")
    ]


def probe_reports(name: str = "audit-probe") -> list[DevReport]:
    """Return the reports of a probe set (seeds/audit-probe/, seeds/audit-probe2/, seeds/fresh/) in their published
    forms."""
    root = ROOT / "seeds" / name
    found: list[DevReport] = []
    for folder in sorted(p for p in root.iterdir() if (p / "checks.json").exists()) if root.exists() else []:
        published = next(
            name
            for name in ("report.pdf", "report.docx", "report_extract.txt", "report.txt")
            if (folder / name).exists()
        )
        found.append(_corpus(folder.name, published, root))
    return found


def _stated(finding: AuditFinding) -> set[float]:
    values = set(_numbers(finding.stated))
    if finding.kind in ("inconsistent_value",):
        values |= set(_numbers(finding.computed))
    return values


def matches(check: Check, finding: AuditFinding) -> bool:
    """Tell whether a failing finding reports a planted relation (its stated value is the relation's)."""
    if check.text:
        return check.text in finding.stated or (bool(finding.stated) and finding.stated in check.text)
    return bool(_stated(finding) & set(check.stated))


def measure(report: DevReport, show_all: bool, quiet: bool = False) -> tuple[int, int, int]:
    """Print one report's results (only the counts when quiet); return (planted found, planted total, false alarms)."""
    document = load_document(report.path)
    passages = chunk_document(document)
    started = time.perf_counter()
    findings = audit_report([document], passages)
    elapsed = (time.perf_counter() - started) * 1000
    bad = failing(findings)
    required = [c for c in report.checks if c.required]
    found = [c for c in required if any(matches(c, f) for f in bad)]
    alarms = [f for f in bad if not any(matches(c, f) for c in report.checks)]
    print(f"== {report.name} ({report.path.name}): planted {len(found)}/{len(required)}, false alarms {len(alarms)}")
    print(f"   {len(findings)} relations, {len(bad)} failing, audit {elapsed:.0f} ms")
    if quiet:
        return len(found), len(required), len(alarms)
    for check in report.checks:
        hit = any(matches(check, f) for f in bad)
        tag = "found" if hit else "MISSED" if check.required else "not found"
        print(f"   [{tag}] {check.claim}")
    for f in bad:
        tag = "ALARM" if f in alarms else "fails"
        print(f"   {tag} {f.kind}: {f.claim} | {f.formula} | 报告 {f.stated} 复算 {f.computed} | {f.section}")
    if show_all:
        for f in findings:
            if f.holds or f.severity != "不一致":
                print(f"   {'holds' if f.holds else f.severity} {f.kind}: {f.claim} | {f.formula}")
    return len(found), len(required), len(alarms)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--all", action="store_true", help="print the relations that hold too")
    parser.add_argument("--report", help="only the report of this name (seed, minzheng-2023, …)")
    parser.add_argument("--probe", action="store_true", help="the audit-probe reports of seeds/audit-probe/ too")
    parser.add_argument("--probe2", action="store_true", help="only the reports of seeds/audit-probe2/")
    parser.add_argument("--fresh", action="store_true", help="only the reports of seeds/fresh/")
    parser.add_argument(
        "--heldout", action="store_true", help="the held-out reports instead, counts only (they are not to be read)"
    )
    args = parser.parse_args()
    from index.segment import segment

    segment("预算执行率")  # the segmenter's dictionary loads once per process, before any report is timed
    total_found = total_planted = total_alarms = 0
    if args.heldout:
        reports = heldout_reports()
    elif args.probe2:
        reports = probe_reports("audit-probe2")
    elif args.fresh:
        reports = probe_reports("fresh")
    else:
        reports = dev_reports() + (probe_reports() if args.probe else [])
    for report in reports:
        if args.report and report.name != args.report:
            continue
        found, planted, alarms = measure(report, args.all and not args.heldout, quiet=args.heldout)
        total_found, total_planted, total_alarms = total_found + found, total_planted + planted, total_alarms + alarms
    print(f"== all: planted {total_found}/{total_planted}, false alarms {total_alarms}")
    return 0 if total_found == total_planted and total_alarms == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
