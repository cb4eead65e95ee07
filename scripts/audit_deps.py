"""Audit the installed dependencies for known vulnerabilities with pip-audit; fail on any found.

Where pip-audit cannot reach its vulnerability data (this build network serves package files but not the
per-release JSON pip-audit reads, and OSV is unreachable), every package comes back "skipped". That is not
a pass: the script says plainly that nothing could be checked, and fails only on vulnerabilities actually
found, or on every package skipped when --require-data is given.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--require-data", action="store_true", help="fail when no package could be checked")
    args = parser.parse_args()
    pip_audit = Path(sys.executable).with_name("pip-audit")
    done = subprocess.run(
        [str(pip_audit), "-f", "json", "--progress-spinner", "off"], capture_output=True, text=True, timeout=300
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit failed: {done.stderr.strip()[-500:]}")
        return 1
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    checked = len(dependencies) - len(skipped)
    for dep in vulnerable:
        ids = ", ".join(v["id"] for v in dep["vulns"])
        print(f"VULNERABLE {dep['name']} {dep.get('version', '')}: {ids}")
    print(
        f"pip-audit: {len(dependencies)} packages, {checked} checked, {len(skipped)} skipped, {len(vulnerable)} vulnerable"
    )
    if dependencies and not checked:
        print("pip-audit could not reach its vulnerability data from this network: NOTHING WAS AUDITED.")
        return 1 if args.require_data else 0
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
