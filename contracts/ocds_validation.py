"""Validate OCDS 1.1.5 release packages against the vendored schema, with no network access.

The package schema names the release schema by its web address; a ``referencing`` registry
maps that address to the local copy in ``contracts/ocds_schema/``, so no URL is ever retrieved
(a retrieval of anything else raises instead of fetching). ``date-time`` and ``uri`` formats are
checked with the standard library, since the optional format packages are not installed.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4

SCHEMA_DIR = Path(__file__).resolve().parent / "ocds_schema"
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
PACKAGE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-package-schema.json"


def _load(schema_dir: Path, name: str) -> dict:
    return json.loads((schema_dir / name).read_text(encoding="utf-8"))


def _no_network(uri: str):
    raise NoSuchResource(ref=uri)  # never fetch: every schema the package needs is local


@cache
def _validator(schema_dir: Path = SCHEMA_DIR) -> Draft4Validator:
    package = _load(schema_dir, "release-package-schema.json")
    release = Resource.from_contents(_load(schema_dir, "release-schema.json"), default_specification=DRAFT4)
    registry = Registry(retrieve=_no_network).with_resources(
        [
            (RELEASE_SCHEMA_URL, release),
            ("http://standard.open-contracting.org/schema/1__1__5/release-schema.json", release),
            (PACKAGE_SCHEMA_URL, Resource.from_contents(package, default_specification=DRAFT4)),
        ]
    )
    checker = FormatChecker(formats=())

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value) -> bool:
        if not isinstance(value, str):
            return True
        # RFC 3339: a full date, a time and an offset (or Z).
        if "T" not in value or not (value.endswith("Z") or value[-6] in "+-"):
            raise ValueError("not an RFC 3339 date-time")
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    @checker.checks("uri", raises=ValueError)
    def _uri(value) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        if not parts.scheme or not (parts.netloc or parts.path):
            raise ValueError("not an absolute URI")
        return True

    return Draft4Validator(package, registry=registry, format_checker=checker)


def errors(package: dict, *, schema_dir: Path = SCHEMA_DIR) -> list[ValidationError]:
    """Every schema violation in ``package`` (empty when it is a valid OCDS 1.1.5 release package).

    ``schema_dir`` holds ``release-package-schema.json`` and ``release-schema.json``: the vendored
    copy by default; the tests also pass the team's shared ``../shared/ocds-1.1.5``."""
    return sorted(_validator(schema_dir).iter_errors(package), key=lambda e: list(e.absolute_path))


def describe(errs: list[ValidationError]) -> list[str]:
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in errs]
