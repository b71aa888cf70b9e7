"""Compares a checkov report with the findings a project has accepted in writing.

Usage: checkov_accepted.py REPORT.json ACCEPTED.md REPO_ROOT

REPORT.json is `checkov --output json` for one framework. ACCEPTED.md holds the accepted
findings as rows of a Markdown table whose first four cells are:

    | Check       | File                         | Resources                     | Why        |
    | CKV_AWS_158 | deploy/aws/layers/logs.yaml  | BackendLogGroup, WorkerLogGroup | reasons... |

File is relative to the repository root; Resources are the resources' names as checkov reports
them after the type (a template's logical ids), comma-separated, or * for every resource of the
file (a Dockerfile's findings are about the whole file: write *). Every failed or
inline-skipped check must be accepted there with a reason, and every accepted finding must
still occur, so the file never says more or less than the code.
Exits 1 when they differ, listing each difference; 2 when the report cannot be read.
"""

import json
import re
import sys
from pathlib import Path

CHECK_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")


def read_accepted(path):
    """(check, file, resource or "*") -> reason, from the table rows of ACCEPTED.md."""
    accepted = {}
    if not path.exists():
        return accepted
    for number, line in enumerate(path.read_text().splitlines(), 1):
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|") or not CHECK_ID.match(cells[0]):
            continue
        if len(cells) < 4 or not cells[3]:
            sys.exit(f"{path}:{number}: an accepted finding needs a check, file, resources and why")
        check, file, resources, reason = cells[0], cells[1], cells[2], cells[3]
        for resource in (r.strip().strip("`") for r in resources.split(",")):
            accepted[(check, file, resource)] = reason
    return accepted


def findings(report, root):
    """(check, file, resource) of every failed and inline-skipped check in the report."""
    if isinstance(report, list):
        if len(report) != 1:
            sys.exit("expected a checkov report of one framework")
        report = report[0]
    results = report.get("results", {})
    if results.get("parsing_errors"):
        sys.exit(f"checkov could not parse: {results['parsing_errors']}")

    found = set()
    for kind in ("failed_checks", "skipped_checks"):
        for check in results.get(kind, []):
            file = Path(check["file_abs_path"]).resolve().relative_to(root).as_posix()
            # A template's resource is reported as Type.LogicalId; a Dockerfile's findings
            # concern the whole file ("Dockerfile."), which the table writes as *.
            resource = check["resource"].rsplit(".", 1)[-1] or "*"
            found.add((check["check_id"], file, resource, check["check_name"]))
    return found


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    report_path, accepted_path, root = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    try:
        report = json.loads(report_path.read_text())
    except (OSError, ValueError) as error:
        print(f"cannot read the checkov report {report_path}: {error}", file=sys.stderr)
        return 2
    accepted = read_accepted(accepted_path)
    found = findings(report, root.resolve())

    unaccepted = []
    used = set()
    for check, file, resource, name in sorted(found):
        for key in ((check, file, resource), (check, file, "*")):
            if key in accepted:
                used.add(key)
                break
        else:
            unaccepted.append(f"  {check} {file} {resource}: {name}")
    stale = [f"  {c} {f} {r}" for (c, f, r) in sorted(set(accepted) - used)]

    if unaccepted:
        print(f"findings not accepted in {accepted_path} (fix them, or accept them with a reason):")
        print("\n".join(unaccepted))
    if stale:
        print(f"accepted in {accepted_path} but no longer found (remove them):")
        print("\n".join(stale))
    if unaccepted or stale:
        return 1
    if found:
        print(f"checkov: {len(found)} finding(s), each accepted with its reason in {accepted_path}")
    else:
        print("checkov: no findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
