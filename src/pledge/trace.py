"""Which of the policy's commitments are kept, and by what.

A commitment is *kept* only when a test marked with its id ran in the last recorded test
run and passed (the suite's conftest records outcomes in var/trace/). Marked tests that
have not run make it *unverified*; a failing one makes it *failing*; no marked test at
all leaves it *not kept*. Code names the commitments it keeps with a `keeps: C12, C13`
note in a comment or docstring, and the declaration maps commitments to its keys.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

COMMITMENT_LINE = re.compile(r"^- (C\d{1,2}) (.+)$")
KEEPS_NOTE = re.compile(r"\bkeeps:?\s+(C\d{1,2}(?:\s*(?:,|and)\s*C\d{1,2})*)", re.IGNORECASE)
Status = Literal["kept", "failing", "unverified", "not kept"]


@dataclass(frozen=True)
class Commitment:
    id: str
    section: str
    text: str


@dataclass
class Trace:
    commitment: Commitment
    declaration_keys: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        if self.failed:
            return "failing"
        if self.passed:
            return "kept"
        return "unverified" if self.tests else "not kept"

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.commitment.id,
            "section": self.commitment.section,
            "text": self.commitment.text,
            "status": self.status,
            "declaration_keys": self.declaration_keys,
            "code": self.code,
            "tests": self.tests,
            "passed": self.passed,
            "failed": self.failed,
        }


def parse_commitments(path: Path) -> list[Commitment]:
    found: list[Commitment] = []
    section = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif match := COMMITMENT_LINE.match(line.strip()):
            found.append(Commitment(match[1], section, match[2].strip()))
    return found


def _python_files(root: Path, *, tests: bool) -> Iterable[Path]:
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        is_test = "tests" in path.parts or path.name.startswith("test_")
        if is_test == tests:
            yield path


def _marked_ids(decorators: list[ast.expr]) -> set[str]:
    ids: set[str] = set()
    for deco in decorators:
        if (
            isinstance(deco, ast.Call)
            and isinstance(deco.func, ast.Attribute)
            and deco.func.attr == "commitment"
        ):
            ids.update(
                arg.value for arg in deco.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            )
    return ids


def _module_marks(tree: ast.Module) -> set[str]:
    ids: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytestmark" for target in node.targets
        ):
            values = node.value.elts if isinstance(node.value, ast.List | ast.Tuple) else [node.value]
            ids |= _marked_ids(values)
    return ids


def marked_tests(root: Path, project_root: Path) -> dict[str, set[str]]:
    """Test node ids (as pytest names them) and the commitments each is marked with."""
    tests: dict[str, set[str]] = {}
    for path in _python_files(root, tests=True):
        if not path.name.startswith("test_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        module_ids = _module_marks(tree)
        rel = path.relative_to(project_root).as_posix()
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
                ids = module_ids | _marked_ids(node.decorator_list)
                if ids:
                    tests[f"{rel}::{node.name}"] = ids
    return tests


def code_notes(root: Path, project_root: Path) -> dict[str, list[str]]:
    notes: dict[str, list[str]] = {}
    for path in _python_files(root, tests=False):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in KEEPS_NOTE.finditer(line):
                for cid in re.findall(r"C\d{1,2}", match[1]):
                    notes.setdefault(cid, []).append(f"{path.relative_to(project_root).as_posix()}:{number}")
    return notes


def last_outcomes(trace_dir: Path) -> dict[str, list[str]]:
    """Outcome per test node id, over the recorded runs (one per database vendor)."""
    outcomes: dict[str, list[str]] = {}
    for path in sorted(trace_dir.glob("last-run-*.json")):
        for nodeid, entry in json.loads(path.read_text()).items():
            outcomes.setdefault(nodeid, []).append(str(entry["outcome"]))
    return outcomes


def build_trace(
    *,
    commitments: list[Commitment],
    declaration_keys: dict[str, list[str]],
    source_root: Path,
    project_root: Path,
    trace_dir: Path,
) -> list[Trace]:
    tests = marked_tests(source_root, project_root)
    notes = code_notes(source_root, project_root)
    outcomes = last_outcomes(trace_dir)
    traces = []
    for commitment in commitments:
        trace = Trace(commitment, declaration_keys.get(commitment.id, []), notes.get(commitment.id, []))
        for test_id, ids in sorted(tests.items()):
            if commitment.id not in ids:
                continue
            trace.tests.append(test_id)
            results = [
                outcome
                for nodeid, runs in outcomes.items()
                if nodeid == test_id or nodeid.startswith(test_id + "[")
                for outcome in runs
            ]
            if "failed" in results:
                trace.failed.append(test_id)
            elif "passed" in results:
                trace.passed.append(test_id)
        traces.append(trace)
    return traces
