#!/usr/bin/env python3
"""Reads the TRX reports of the .NET test run (one per test project) and prints what CI needs: each project's
counts, every failed or not-executed test with its message, and a last line "N passed, N failed".

Results come from the runner's reports, not from its console text. A project whose report is missing, or whose
`dotnet test` exited non-zero, counts as failed even when no test said so; every test that did not run (NUnit's
ignored, explicit or inconclusive tests) counts as failed too: a skipped test is a defect in this project.

usage: trx-summary.py RESULTS_DIR PROJECT=EXIT_CODE [PROJECT=EXIT_CODE ...]
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def summarise(report: Path):
    root = ET.parse(report).getroot()
    passed, failed, problems = 0, 0, []
    for result in root.iterfind(".//t:Results/t:UnitTestResult", NS):
        outcome, name = result.get("outcome", ""), result.get("testName", "?")
        if outcome == "Passed":
            passed += 1
            continue
        failed += 1
        message = result.findtext(".//t:Output/t:ErrorInfo/t:Message", default="", namespaces=NS).strip()
        kind = "FAILED" if outcome == "Failed" else f"NOT RUN ({outcome})"
        problems.append(f"  {kind} {name}" + (f"\n    {message.splitlines()[0][:300]}" if message else ""))
    return passed, failed, problems


def main() -> int:
    results = Path(sys.argv[1])
    total_passed = total_failed = 0
    for arg in sys.argv[2:]:
        project, code = arg.rsplit("=", 1)
        report = results / f"{project}.trx"
        if not report.is_file():
            print(f"{project}: no test report (dotnet test exited {code}): counted as 1 failed")
            total_failed += 1
            continue
        passed, failed, problems = summarise(report)
        if code != "0" and failed == 0:
            problems.append(f"  dotnet test exited {code} although no test failed: counted as 1 failed")
            failed = 1
        if passed + failed == 0:
            problems.append("  the report holds no test: counted as 1 failed")
            failed = 1
        print(f"{project}: {passed} passed, {failed} failed")
        for p in problems:
            print(p)
        total_passed += passed
        total_failed += failed
    print(f"{total_passed} passed, {total_failed} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
