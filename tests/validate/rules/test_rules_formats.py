"""apimachinery string formats: both sides of every boundary, messages verbatim."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kapply.validate.rules import formats as fmt

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1035_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
NAME_PART_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)

Check = Callable[[str], tuple[str, ...]]


@pytest.mark.parametrize(
    ("check", "value", "expected"),
    [
        (fmt.is_dns1123_subdomain, "a" * 253, ()),
        (fmt.is_dns1123_subdomain, "a" * 254, ("must be no more than 253 characters",)),
        (fmt.is_dns1123_subdomain, "web.example-1", ()),
        (fmt.is_dns1123_subdomain, "Web", (SUBDOMAIN_MSG,)),
        (fmt.is_dns1123_subdomain, "web-", (SUBDOMAIN_MSG,)),
        (fmt.is_dns1123_subdomain, "web\n", (SUBDOMAIN_MSG,)),
        (fmt.is_dns1123_label, "a" * 63, ()),
        (fmt.is_dns1123_label, "a" * 64, ("must be no more than 63 characters",)),
        (fmt.is_dns1123_label, "1web", ()),
        (fmt.is_dns1123_label, "my.ns", ("must not contain dots",)),
        (fmt.is_dns1123_label, "my_ns", (LABEL_MSG,)),
        (fmt.is_dns1035_label, "a" * 63, ()),
        (fmt.is_dns1035_label, "a" * 64, ("must be no more than 63 characters",)),
        (fmt.is_dns1035_label, "web1", ()),
        (fmt.is_dns1035_label, "1web", (DNS1035_MSG,)),
        (fmt.is_qualified_name, "app", ()),
        (fmt.is_qualified_name, "app.kubernetes.io/name", ()),
        (fmt.is_qualified_name, "a" * 63, ()),
        (fmt.is_qualified_name, "a" * 64, ("name part must be no more than 63 characters",)),
        (fmt.is_qualified_name, "example.com/" + "a" * 63, ()),
        (fmt.is_qualified_name, "/app", ("prefix part must be non-empty",)),
        (fmt.is_qualified_name, "example.com/", ("name part must be non-empty", NAME_PART_MSG)),
        (fmt.is_qualified_name, "Example.com/app", ("prefix part " + SUBDOMAIN_MSG,)),
        (fmt.is_qualified_name, "-app", (NAME_PART_MSG,)),
        (fmt.is_valid_label_value, "", ()),
        (fmt.is_valid_label_value, "a" * 63, ()),
        (fmt.is_valid_label_value, "a" * 64, ("must be no more than 63 characters",)),
        (fmt.is_valid_label_value, "My_Value.1", ()),
        (fmt.is_valid_port_name, "http", ()),
        (fmt.is_valid_port_name, "a" * 15, ()),
        (fmt.is_valid_port_name, "a" * 16, ("must be no more than 15 characters",)),
        (fmt.is_valid_port_name, "8080", ("must contain at least one letter (a-z)",)),
        (fmt.is_valid_port_name, "http--alt", ("must not contain consecutive hyphens",)),
        (fmt.is_valid_port_name, "-http", ("must not begin or end with a hyphen",)),
        (fmt.is_valid_port_name, "HTTP", ("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",  # noqa: E501
                                          "must contain at least one letter (a-z)")),
        (fmt.is_config_map_key, "app.conf", ()),
        (fmt.is_config_map_key, "a" * 253, ()),
        (fmt.is_config_map_key, "a" * 254, ("must be no more than 253 characters",)),
        (fmt.is_config_map_key, "..data", ("must not start with '..'",)),
        (fmt.is_config_map_key, ".", ("must not be '.'",)),
        (fmt.is_relaxed_env_var_name, "MY_VAR.1-x", ()),
        (fmt.is_relaxed_env_var_name, "1 weird:name", ()),
        (fmt.is_relaxed_env_var_name, "A=B", ("a valid environment variable name must consist only of printable "  # noqa: E501
                                              "ASCII characters other than '='",)),
        (fmt.is_path_segment_name, "system:controller:x", ()),
        (fmt.is_path_segment_name, "a/b", ("may not contain '/'",)),
        (fmt.is_path_segment_name, "..", ("may not be '..'",)),
    ],
)
def test_format(check: Check, value: str, expected: tuple[str, ...]) -> None:
    assert check(value) == expected


@pytest.mark.parametrize(("port", "ok"), [(0, False), (1, True), (65535, True), (65536, False)])
def test_port_number_range(port: int, ok: bool) -> None:
    assert (fmt.is_valid_port_num(port) == ()) is ok


def test_percent_message() -> None:
    assert fmt.is_valid_percent("25%") == ()
    assert fmt.is_valid_percent("25") == (
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', "
        "regex used for validation is '[0-9]+%')",)


def test_generate_name_prefix_may_end_with_a_dash() -> None:
    assert fmt.name_is_dns_subdomain("web-", True) == ()
    assert fmt.name_is_dns_subdomain("web-", False) == (SUBDOMAIN_MSG,)


def test_lengths_are_counted_in_bytes() -> None:
    assert fmt.is_valid_label_value("é" * 32)[0] == "must be no more than 63 characters"


def test_keys_with_two_slashes() -> None:
    assert fmt.is_qualified_name("helm.sh/depends-on/resource-groups") == (
        "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "  # noqa: E501
        "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "  # noqa: E501
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. "
        "'example.com/MyName')",)
