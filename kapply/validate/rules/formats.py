"""apimachinery's string formats (k8s.io/apimachinery/pkg/util/validation), messages verbatim.

Label keys and values (and the DNS subdomains a key's prefix is) live in `kapply.model.labelsyntax`,
where the label-selector parser needs them too; they are re-exported here.

Each `is_*` function returns the tuple of problems Kubernetes reports for a value (empty when
valid), in Kubernetes' order. Names and labels repeat across a folder of manifests, so results are
cached per string. Lengths are counted in bytes and regexes anchored over the whole string, as Go
does (`$` in Go never matches before a trailing newline; Python's `fullmatch` reproduces that).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from kapply.model.labelsyntax import (  # the label syntax, re-exported for the rules
    DNS1123_SUBDOMAIN_FMT as DNS1123_SUBDOMAIN_FMT,
)
from kapply.model.labelsyntax import (
    DNS1123_SUBDOMAIN_MAX,
    DNS1123_SUBDOMAIN_RE,
    EMPTY_ERROR,
    byte_len,
    max_len_error,
    regex_error,
)
from kapply.model.labelsyntax import is_dns1123_subdomain as is_dns1123_subdomain
from kapply.model.labelsyntax import is_qualified_name as is_qualified_name
from kapply.model.labelsyntax import is_valid_label_value as is_valid_label_value

_A = re.ASCII

DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
PERCENT_FMT = "[0-9]+%"
CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+"

_DNS1123_LABEL = re.compile(DNS1123_LABEL_FMT, _A)
_DNS1035_LABEL = re.compile(DNS1035_LABEL_FMT, _A)
_PERCENT = re.compile(PERCENT_FMT, _A)
_CONFIG_KEY = re.compile(CONFIG_KEY_FMT, _A)
_PORT_NAME_CHARSET = re.compile("[-a-z0-9]+", _A)
_ONE_LETTER = re.compile("[a-z]", _A)

DNS1123_LABEL_MAX = 63
DNS1035_LABEL_MAX = 63


def inclusive_range_error(lo: int, hi: int) -> str:
    """apimachinery InclusiveRangeError."""
    return f"must be between {lo} and {hi}, inclusive"


NEGATIVE_ERROR = "must be greater than or equal to 0"

_DNS1123_LABEL_MSG = regex_error(
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
    "start and end with an alphanumeric character",
    DNS1123_LABEL_FMT,
    "my-name",
    "123-abc",
)
_DNS1035_LABEL_MSG = regex_error(
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character",
    DNS1035_LABEL_FMT,
    "my-name",
    "abc-123",
)
PERCENT_MSG = regex_error(
    "a valid percent string must be a numeric string followed by an ending '%'", PERCENT_FMT, "1%", "93%"
)
_CONFIG_KEY_MSG = regex_error(
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
    CONFIG_KEY_FMT,
    "key.name",
    "KEY_NAME",
    "key-name",
)
_RELAXED_ENV_MSG = (
    "a valid environment variable name must consist only of printable ASCII characters other than '='"
)


@lru_cache(maxsize=8192)
def is_dns1123_label(value: str) -> tuple[str, ...]:
    """IsDNS1123Label: at most 63 characters of [a-z0-9-], alphanumeric at both ends."""
    errs: list[str] = []
    if byte_len(value) > DNS1123_LABEL_MAX:
        errs.append(max_len_error(DNS1123_LABEL_MAX))
    if not _DNS1123_LABEL.fullmatch(value):
        errs.append("must not contain dots" if DNS1123_SUBDOMAIN_RE.fullmatch(value) else _DNS1123_LABEL_MSG)
    return tuple(errs)


@lru_cache(maxsize=8192)
def is_dns1035_label(value: str) -> tuple[str, ...]:
    """IsDNS1035Label: a DNS-1123 label that starts with a letter."""
    errs: list[str] = []
    if byte_len(value) > DNS1035_LABEL_MAX:
        errs.append(max_len_error(DNS1035_LABEL_MAX))
    if not _DNS1035_LABEL.fullmatch(value):
        errs.append(_DNS1035_LABEL_MSG)
    return tuple(errs)


def is_valid_port_num(port: int) -> tuple[str, ...]:
    """IsValidPortNum: 1 to 65535."""
    return () if 1 <= port <= 65535 else (inclusive_range_error(1, 65535),)


@lru_cache(maxsize=2048)
def is_valid_port_name(port: str) -> tuple[str, ...]:
    """IANA_SVC_NAME: at most 15 chars of [-a-z0-9], a letter, no leading/trailing/double '-'."""
    errs: list[str] = []
    if byte_len(port) > 15:
        errs.append(max_len_error(15))
    if not _PORT_NAME_CHARSET.fullmatch(port):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _ONE_LETTER.search(port):
        errs.append("must contain at least one letter (a-z)")
    if "--" in port:
        errs.append("must not contain consecutive hyphens")
    if port and (port[0] == "-" or port[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return tuple(errs)


def is_valid_percent(value: str) -> tuple[str, ...]:
    """IsValidPercent: digits followed by '%'."""
    return () if _PERCENT.fullmatch(value) else (PERCENT_MSG,)


@lru_cache(maxsize=8192)
def is_config_map_key(value: str) -> tuple[str, ...]:
    """IsConfigMapKey: [-._a-zA-Z0-9]+, at most 253, not '.', '..' or '..'-prefixed."""
    errs: list[str] = []
    if byte_len(value) > DNS1123_SUBDOMAIN_MAX:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX))
    if not _CONFIG_KEY.fullmatch(value):
        errs.append(_CONFIG_KEY_MSG)
    if value == ".":
        errs.append("must not be '.'")
    elif value == "..":
        errs.append("must not be '..'")
    elif value.startswith(".."):
        errs.append("must not start with '..'")
    return tuple(errs)


@lru_cache(maxsize=4096)
def is_relaxed_env_var_name(value: str) -> tuple[str, ...]:
    """Kubernetes 1.34 (RelaxedEnvironmentVariableValidation on): printable ASCII except '='."""
    errs: list[str] = []
    if not value:
        errs.append("environment variable name " + EMPTY_ERROR)
    for ch in value:
        if ord(ch) > 0x7E or ord(ch) < 0x20 or ch == "=":
            errs.append(_RELAXED_ENV_MSG)
            break
    return tuple(errs)


def is_path_segment_name(value: str) -> tuple[str, ...]:
    """Names of RBAC objects: anything but `.`, `..`, or containing `/` or `%`."""
    if value in (".", ".."):
        return (f"may not be '{value}'",)
    return tuple(f"may not contain '{c}'" for c in ("/", "%") if c in value)


def is_path_segment_prefix(value: str) -> tuple[str, ...]:
    """IsValidPathSegmentPrefix (generateName of path-segment names)."""
    return tuple(f"may not contain '{c}'" for c in ("/", "%") if c in value)


def _mask_trailing_dash(name: str) -> str:
    return name[:-1] + "a" if len(name) > 1 and name.endswith("-") else name


def name_is_dns_subdomain(name: str, prefix: bool) -> tuple[str, ...]:
    """NameIsDNSSubdomain (prefix: a generateName, which may end with '-')."""
    return is_dns1123_subdomain(_mask_trailing_dash(name) if prefix else name)


def name_is_dns_label(name: str, prefix: bool) -> tuple[str, ...]:
    """NameIsDNSLabel (prefix: a generateName, which may end with '-')."""
    return is_dns1123_label(_mask_trailing_dash(name) if prefix else name)


def name_is_dns1035_label(name: str, prefix: bool) -> tuple[str, ...]:
    """NameIsDNS1035Label (prefix: a generateName, which may end with '-')."""
    return is_dns1035_label(_mask_trailing_dash(name) if prefix else name)


def name_is_path_segment(name: str, prefix: bool) -> tuple[str, ...]:
    """ValidatePathSegmentName (RBAC object names)."""
    return is_path_segment_prefix(name) if prefix else is_path_segment_name(name)


def name_any(name: str, prefix: bool) -> tuple[str, ...]:
    """CertificateSigningRequest: "We don't care what you call your certificate requests"."""
    return ()


_GO_ATOI = re.compile("[+-]?[0-9]+", _A)


def go_atoi(text: str) -> int:
    """strconv.Atoi as intstr.IntValue uses it: 0 when the string is not a plain integer."""
    if _GO_ATOI.fullmatch(text):
        value = int(text)
        if -(2**63) <= value < 2**63:
            return value
    return 0


def is_ip_sloppy(value: str) -> bool:
    """netutils.ParseIPSloppy: Go's net.ParseIP from before Go 1.17, leading zeros allowed (decimal)."""
    if "%" in value:
        return False
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        pass
    head, sep, tail = value.rpartition(":")
    quad = tail.split(".")
    if len(quad) != 4 or not all(q.isascii() and q.isdigit() and len(q) <= 3 and int(q) <= 255 for q in quad):
        return False
    normal = ".".join(str(int(q)) for q in quad)
    try:
        ipaddress.ip_address(head + sep + normal)
    except ValueError:
        return False
    return True


def non_special_ip_errors(value: str) -> tuple[str, ...]:
    """ValidateNonSpecialIP for an address is_ip_sloppy accepted (externalIPs, endpoints)."""
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(value)
    except ValueError:
        head, sep, tail = value.rpartition(":")
        ip = ipaddress.ip_address(head + sep + ".".join(str(int(q)) for q in tail.split(".")))
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    errs: list[str] = []
    if ip.is_unspecified:
        errs.append(f"may not be unspecified ({value})")
    if ip.is_loopback:
        errs.append("may not be in the loopback range (127.0.0.0/8, ::1/128)")
    if ip.is_link_local:
        errs.append("may not be in the link-local range (169.254.0.0/16, fe80::/10)")
    packed = ip.packed
    if (len(packed) == 4 and packed[:3] == b"\xe0\x00\x00") or (
        len(packed) == 16 and packed[0] == 0xFF and packed[1] & 0x0F == 0x02
    ):
        errs.append("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")
    return tuple(errs)


MAX_ID = 0xFFFFFFFF


def is_valid_id(value: int) -> tuple[str, ...]:
    """IsValidUserID / IsValidGroupID: 0 to 2^32-1."""
    return () if 0 <= value <= MAX_ID else (inclusive_range_error(0, MAX_ID),)


_NON_STANDARD = (
    'non-standard IP address "{}" will be considered invalid in a future Kubernetes release: use "{}"'
)


def ip_warnings(value: str) -> str | None:
    """GetWarningsForIP (without the path): non-standard or non-canonical forms of a valid IP."""
    if not is_ip_sloppy(value):
        return None
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(value)
    except ValueError:  # leading zeros: Go's net.IP prints the plain form
        head, sep, tail = value.rpartition(":")
        plain = ipaddress.ip_address(head + sep + ".".join(str(int(q)) for q in tail.split(".")))
        shown = (
            str(plain.ipv4_mapped)
            if isinstance(plain, ipaddress.IPv6Address) and plain.ipv4_mapped
            else str(plain)
        )
        return _NON_STANDARD.format(value, shown)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return _NON_STANDARD.format(value, ip.ipv4_mapped)
        if ip.compressed != value:
            return f'IPv6 address "{value}" should be in RFC 5952 canonical format ("{ip.compressed}")'
    return None
