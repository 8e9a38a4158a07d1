"""The syntax of label keys and values (k8s.io/apimachinery/pkg/util/validation), messages verbatim.

Here rather than in `kapply.validate.rules.formats` (which re-exports them) because the label
selector parser (`kapply.model.selectors`) validates keys and values as it reads them, as
labels.Parse does. Lengths are counted in bytes and regexes anchored over the whole string, as Go
does; results are cached per string (names and labels repeat across a folder of manifests).
"""

from __future__ import annotations

import re
from functools import lru_cache

_A = re.ASCII

DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*"
QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?"

DNS1123_SUBDOMAIN_RE = re.compile(DNS1123_SUBDOMAIN_FMT, _A)
_QUALIFIED_NAME = re.compile(QUALIFIED_NAME_FMT, _A)
_LABEL_VALUE = re.compile(LABEL_VALUE_FMT, _A)

DNS1123_SUBDOMAIN_MAX = 253
QUALIFIED_NAME_MAX = 63
LABEL_VALUE_MAX = 63
EMPTY_ERROR = "must be non-empty"


def max_len_error(length: int) -> str:
    """apimachinery MaxLenError."""
    return f"must be no more than {length} characters"


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """apimachinery RegexError, including its double space: `(e.g. 'a',  or 'b', regex ...)`."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    quoted = " or ".join(f"'{e}', " for e in examples)
    return f"{msg} (e.g. {quoted}regex used for validation is '{fmt}')"


_DNS1123_SUBDOMAIN_MSG = regex_error(
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character",
    DNS1123_SUBDOMAIN_FMT,
    "example.com",
)
QUALIFIED_NAME_MSG = regex_error(
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character",
    QUALIFIED_NAME_FMT,
    "MyName",
    "my.name",
    "123-abc",
)
_LABEL_VALUE_MSG = regex_error(
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character",
    LABEL_VALUE_FMT,
    "MyValue",
    "my_value",
    "12345",
)


def byte_len(text: str) -> int:
    """Length in bytes, as Go's len() counts a string."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


@lru_cache(maxsize=8192)
def is_dns1123_subdomain(value: str) -> tuple[str, ...]:
    """IsDNS1123Subdomain: dot-separated DNS-1123 labels, at most 253 characters."""
    errs: list[str] = []
    if byte_len(value) > DNS1123_SUBDOMAIN_MAX:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX))
    if not DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errs.append(_DNS1123_SUBDOMAIN_MSG)
    return tuple(errs)


@lru_cache(maxsize=8192)
def is_qualified_name(value: str) -> tuple[str, ...]:
    """Label keys, annotation keys (lower-cased first), appProtocol: `[prefix/]name`."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part " + EMPTY_ERROR)
        else:
            errs.extend("prefix part " + m for m in is_dns1123_subdomain(prefix))
    else:
        return (
            "a valid label key "
            + QUALIFIED_NAME_MSG
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        )
    if not name:
        errs.append("name part " + EMPTY_ERROR)
    elif byte_len(name) > QUALIFIED_NAME_MAX:
        errs.append("name part " + max_len_error(QUALIFIED_NAME_MAX))
    if not _QUALIFIED_NAME.fullmatch(name):
        errs.append("name part " + QUALIFIED_NAME_MSG)
    return tuple(errs)


@lru_cache(maxsize=8192)
def is_valid_label_value(value: str) -> tuple[str, ...]:
    """IsValidLabelValue: empty, or at most 63 characters of [A-Za-z0-9._-], alphanumeric ends."""
    errs: list[str] = []
    if byte_len(value) > LABEL_VALUE_MAX:
        errs.append(max_len_error(LABEL_VALUE_MAX))
    if not _LABEL_VALUE.fullmatch(value):
        errs.append(_LABEL_VALUE_MSG)
    return tuple(errs)
