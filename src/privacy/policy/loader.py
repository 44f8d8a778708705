"""Load the policy declaration, or explain exactly what is wrong with it.

Loading runs in three passes, each of which reports every problem it finds before
giving up:
1. YAML: the text is composed into nodes once, which gives both the data and the line of
   every key; a syntax error or a duplicated key stops here.
2. Shape: pydantic validates the data against `schema.Policy`; its errors are rewritten as
   "unknown key 'x' (did you mean 'y'?)" with the line of the key.
3. Meaning: `validate.find_errors` checks the cross-references and the vocabulary.

The declaration is read once per process (`current_policy`): the policy changes by
deploying a new file, never while a request runs.
"""

from __future__ import annotations

import threading
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from pydantic import BaseModel, ValidationError

from privacy.policy.schema import Policy
from privacy.policy.source import Loc, SourceMap, format_key
from privacy.policy.validate import Finding, find_errors, find_warnings
from privacy.policy.vocabulary import closest

__all__ = [
    "PolicyInvalid",
    "PolicyIssue",
    "current_policy",
    "load_policy",
    "policy_warnings",
    "reset_policy_cache",
]


@dataclass(frozen=True)
class PolicyIssue:
    file: str
    line: int | None
    key: str
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        return f"{text} (did you mean '{self.suggestion}'?)" if self.suggestion else text


class PolicyInvalid(Exception):
    def __init__(self, issues: list[PolicyIssue]) -> None:
        self.issues = issues
        count = len(issues)
        summary = "\n".join(str(issue) for issue in issues)
        super().__init__(f"the policy declaration has {count} error{'s' if count != 1 else ''}:\n{summary}")


def load_policy(path: Path) -> Policy:
    """The validated declaration in `path`; raises PolicyInvalid naming every problem."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyInvalid([PolicyIssue(file, None, "", f"cannot read the declaration: {exc}")]) from exc
    data, source = _parse(file, text)
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyInvalid(_by_line([_shape_issue(error, data, source) for error in exc.errors()])) from None
    policy._source = source
    errors = find_errors(policy)
    if errors:
        raise PolicyInvalid(_by_line([_issue(source, finding) for finding in errors]))
    return policy


def policy_warnings(policy: Policy) -> list[PolicyIssue]:
    """Legal and editorial risks in a declaration that is otherwise valid."""
    source = policy.source or SourceMap("<policy>")
    return _by_line([_issue(source, finding) for finding in find_warnings(policy)])


def _by_line(issues: list[PolicyIssue]) -> list[PolicyIssue]:
    return sorted(issues, key=lambda issue: (issue.line is None, issue.line or 0))


_cache: dict[Path, Policy] = {}
_cache_lock = threading.Lock()


def current_policy() -> Policy:
    """The declaration named by settings.PLEDGE_POLICY_FILE, loaded once per process."""
    path = Path(settings.PLEDGE_POLICY_FILE)
    with _cache_lock:
        if path not in _cache:
            _cache[path] = load_policy(path)
        return _cache[path]


def reset_policy_cache() -> None:
    with _cache_lock:
        _cache.clear()


# Pass 1: YAML ----------------------------------------------------------------------------


def _parse(file: str, text: str) -> tuple[Any, SourceMap]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise PolicyInvalid([PolicyIssue(file, 1, "", "the declaration is empty")])
        source = SourceMap(file)
        source.lines[()] = node.start_mark.line + 1
        duplicates: list[PolicyIssue] = []
        _index(node, (), source, duplicates)
        if duplicates:
            raise PolicyInvalid(duplicates)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise PolicyInvalid([PolicyIssue(file, line, "", f"YAML syntax error: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise PolicyInvalid([PolicyIssue(file, None, "", f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    return data, source


def _index(node: yaml.Node, loc: Loc, source: SourceMap, duplicates: list[PolicyIssue]) -> None:
    if isinstance(node, yaml.MappingNode):
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in first_seen and key != "<<":
                duplicates.append(
                    PolicyIssue(
                        source.file,
                        line,
                        format_key((*loc, key)),
                        f"duplicate key '{key}' (first written on line {first_seen[key]})",
                    )
                )
                continue
            first_seen[key] = line
            source.lines[(*loc, key)] = line
            _index(value_node, (*loc, key), source, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            source.lines[(*loc, index)] = item.start_mark.line + 1
            _index(item, (*loc, index), source, duplicates)


# Pass 2: shape ---------------------------------------------------------------------------

# Messages for missing keys whose absence says something about the policy.
_MISSING_HINTS = {
    ("purposes", "legal_basis"): "every purpose needs a legal basis (one of {choices})",
    ("recipients", "safeguards"): "a recipient or transfer needs its safeguards",
    ("cookies", "category"): "every cookie needs a category (one of {cookie_categories})",
}


def _shape_issue(error: Any, data: Any, source: SourceMap) -> PolicyIssue:
    loc: Loc = tuple(part if isinstance(part, int) else str(part) for part in error["loc"])
    kind, value = error["type"], error.get("input")
    suggestion: str | None = None
    if kind == "extra_forbidden":
        fields = _fields_at(loc[:-1])
        suggestion = closest(str(loc[-1]), fields)
        message = f"unknown key '{loc[-1]}'"
    elif kind == "missing":
        message = f"missing key '{loc[-1]}'"
        hint = _MISSING_HINTS.get((str(loc[0]), str(loc[-1])))
        if hint is not None:
            message += ": " + hint.format(
                choices=", ".join(_literal_values(loc)),
                cookie_categories=", ".join(_cookie_categories(data)) or "none declared",
            )
    elif kind == "literal_error":
        choices = _literal_values(loc)
        suggestion = closest(str(value), choices)
        message = f"{value!r} is not one of: {', '.join(choices)}"
    else:
        message = f"{error['msg'][:1].lower()}{error['msg'][1:]}, not {_describe(value)}"
        if isinstance(value, bool | int | float) and "string" in kind:
            message += " (YAML reads unquoted yes/no/on/off, numbers and dates as such: quote the value)"
    return PolicyIssue(source.file, source.line_of(loc), format_key(loc), message, suggestion)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "an empty value"
    return f"{type(value).__name__} {value!r}"


def _cookie_categories(data: Any) -> list[str]:
    cookies = data.get("cookies") if isinstance(data, dict) else None
    categories = cookies.get("categories") if isinstance(cookies, dict) else None
    return sorted(str(key) for key in categories) if isinstance(categories, dict) else []


def _annotation_at(loc: Sequence[str | int]) -> Any:
    """The schema type found by walking `loc` from Policy (None when it leads nowhere)."""
    annotation: Any = Policy
    for part in loc:
        annotation = _unwrap_optional(annotation)
        origin = typing.get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return None
            annotation = field.annotation
        elif origin is dict:
            annotation = typing.get_args(annotation)[1]
        elif origin is list:
            annotation = typing.get_args(annotation)[0]
        else:
            return None
    return _unwrap_optional(annotation)


def _unwrap_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _fields_at(loc: Sequence[str | int]) -> list[str]:
    model = _annotation_at(loc)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _literal_values(loc: Sequence[str | int]) -> list[str]:
    annotation = _annotation_at(loc)
    if typing.get_origin(annotation) is typing.Literal:
        return [str(arg) for arg in typing.get_args(annotation)]
    return []


# Pass 3: meaning -------------------------------------------------------------------------


def _issue(source: SourceMap, finding: Finding) -> PolicyIssue:
    return PolicyIssue(
        source.file, source.line_of(finding.loc), format_key(finding.loc), finding.message, finding.suggestion
    )
