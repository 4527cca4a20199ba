#!/usr/bin/env python3
"""Reads the TRX files of a test session and prints the verdict that scripts/test.sh ends with.

Usage: test-summary.py [--runner-exit CODE] RESULTS_DIR ALLOW_LIST PROJECT_NAME...

Counts every test result (Passed; NotExecuted = skipped; anything else = failed), lists the skipped tests with the
reasons they gave, and counts a skip as a failure unless ALLOW_LIST names it with a reason: a suite that skips itself
when something it needs is missing must not turn CI green. A test project that wrote no TRX (its host crashed, hung
and was killed by the hang dump, or never started) counts as one failure, and any hang-dump log is printed so the
test that hung is named. A non-zero CODE from the runner with nothing else failed counts as one failure. The last line
is "N passed, M failed, K skipped"; the exit code is 1 when M > 0.
"""

import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


def read_allow_list(path):
    """Parses 'Fully.Qualified.Test.Name | reason' lines; '#' starts a comment. Returns (entries, problems)."""
    entries, problems = {}, []
    if not os.path.exists(path):
        return entries, problems
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, reason = line.partition("|")
            name, reason = name.strip(), reason.strip()
            if not sep or not name or not reason:
                problems.append(f"{path}:{number}: expected 'Test.Name | reason why skipping it is right', got '{line}'")
                continue
            entries[name] = reason
    return entries, problems


# Characters XML 1.0 forbids (C0 controls other than tab, newline, carriage return), raw or as character references.
# Test output (a terminal's escape sequences, a typed Ctrl+C) can reach a TRX file through a failure message; the test
# platform writes them as they are, and one such character must not hide a whole project's results.
INVALID_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
INVALID_XML_REFS = re.compile(r"&#(?:x0*(?:[0-8bcef]|1[0-9a-f])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));", re.IGNORECASE)


def read_trx(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    text = INVALID_XML_REFS.sub("\uFFFD", INVALID_XML_CHARS.sub("\uFFFD", text))
    return ET.fromstring(text.encode("utf-8"))


def allowed(test_name, entries):
    # A theory's cases carry their arguments ("Name(x: 1)"); an entry without arguments covers every case.
    return test_name in entries or re.sub(r"\(.*\)$", "", test_name) in entries


def main():
    args = sys.argv[1:]
    runner_exit = 0
    if args[:1] == ["--runner-exit"]:
        runner_exit, args = int(args[1]), args[2:]
    results_dir, allow_path, projects = args[0], args[1], args[2:]
    entries, problems = read_allow_list(allow_path)
    passed, failed, skips, failures, reported = 0, [], [], [], set()

    for trx in sorted(glob.glob(os.path.join(results_dir, "**", "*.trx"), recursive=True)):
        try:
            root = read_trx(trx)
        except ET.ParseError as e:
            failures.append(f"{os.path.basename(trx)}: unreadable TRX ({e})")
            continue
        for definition in root.iter(NS + "UnitTest"):
            storage = definition.get("storage") or ""
            reported.add(os.path.splitext(os.path.basename(storage))[0])
        for result in root.iter(NS + "UnitTestResult"):
            name, outcome = result.get("testName", "?"), result.get("outcome", "?")
            if outcome == "Passed":
                passed += 1
            elif outcome == "NotExecuted":
                reason = " ".join((result.findtext(f"{NS}Output/{NS}StdOut") or "no reason given").split())
                skips.append((name, reason))
            else:
                failed.append(f"{name} ({outcome})")

    for project in projects:
        if project not in reported:
            failures.append(f"{project}: no test results (its test host crashed, hung or did not start)")
    hangs = []
    for log in sorted(glob.glob(os.path.join(results_dir, "**", "*_hang.log"), recursive=True)):
        with open(log, encoding="utf-8", errors="replace") as f:
            hangs.append(f"hang dump {log[:-4]}.dmp; tests running when it was taken:\n    "
                            + "\n    ".join(l.rstrip() for l in f if l.strip()))

    allowed_skips = [(n, r) for n, r in skips if allowed(n, entries)]
    unlisted = [(n, r) for n, r in skips if not allowed(n, entries)]
    if skips:
        print(f"Skipped tests ({len(skips)}):")
        for name, reason in skips:
            mark = "allowed" if allowed(name, entries) else "NOT ALLOWED"
            print(f"  [{mark}] {name}: {reason}")
    if unlisted:
        print(f"{len(unlisted)} skipped test(s) are not in {allow_path}: each counts as failed "
              "(fix what made it skip, or list it there with the reason skipping is right).")
    for name in sorted(set(entries) - {re.sub(r"\(.*\)$", "", n) for n, _ in skips} - {n for n, _ in skips}):
        print(f"note: {allow_path} lists {name}, which did not skip; remove the entry.")
    if failed:
        print(f"Failed tests ({len(failed)}):")
        for name in failed:
            print(f"  {name}")
    for line in problems + failures + hangs:
        print(line)

    failed_count = len(failed) + len(unlisted) + len(failures) + len(problems)
    if runner_exit != 0 and failed_count == 0:
        print(f"dotnet test exited with {runner_exit} although no test failed")
        failed_count = 1
    print(f"{passed} passed, {failed_count} failed, {len(allowed_skips)} skipped")
    return 1 if failed_count else 0


if __name__ == "__main__":
    sys.exit(main())
