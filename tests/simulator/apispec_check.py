"""A compact JSON-schema check for the simulator tests: the subset the API contracts in
../shared/apispecs use ($ref, type, required, properties, items, enum, const, allOf, anyOf,
oneOf, nullable, and optionally the date-time format). No jsonschema package needed."""

import json
import re
from pathlib import Path

import pytest

SPECS = Path(__file__).resolve().parents[2] / ".." / "shared" / "apispecs"
_TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
}
_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")
_cache = {}


def load_spec(marketplace, name):
    """A contract file of ../shared/apispecs/<marketplace>; the test is skipped without it."""
    folder = SPECS / marketplace
    if not folder.is_dir():
        pytest.skip("API contracts not found at %s; schema validation skipped" % folder)
    key = (marketplace, name)
    if key not in _cache:
        text = (folder / name).read_text(encoding="utf-8")
        if name.endswith((".yml", ".yaml")):
            import yaml

            _cache[key] = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        else:
            _cache[key] = json.loads(text)
    return _cache[key]


def resolve(schema, root):
    while "$ref" in schema:
        target = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        schema = target
    return schema


def check(instance, schema, root, path="$", date_time=False):
    """Raise AssertionError when `instance` does not fit `schema` (refs resolved in `root`);
    with `date_time`, strings of format date-time must be ISO 8601."""
    schema = resolve(schema, root)
    if instance is None and (
        schema.get("nullable") or schema.get("x-nullable") or "`null`" in (schema.get("description") or "")
    ):
        return instance
    for sub in schema.get("allOf", []):
        check(instance, sub, root, path, date_time)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            failures = []
            for sub in schema[key]:
                try:
                    check(instance, sub, root, path, date_time)
                    break
                except AssertionError as err:
                    failures.append(str(err))
            else:
                raise AssertionError("%s: fits none of %s: %s" % (path, key, failures))
    expected = schema.get("type")
    if expected in _TYPES:
        ok = isinstance(instance, _TYPES[expected]) and not (
            expected in ("integer", "number") and isinstance(instance, bool)
        )
        assert ok, "%s: expected %s, got %r" % (path, expected, instance)
    if "enum" in schema:
        assert instance in schema["enum"], "%s: %r not in %s" % (path, instance, schema["enum"])
    if "const" in schema:
        assert instance == schema["const"], "%s: %r != %r" % (path, instance, schema["const"])
    if date_time and schema.get("format") == "date-time":
        assert _DATE_TIME.match(instance), "%s: %r is not an ISO 8601 date-time" % (path, instance)
    if isinstance(instance, dict):
        for key in schema.get("required", []):
            assert key in instance, "%s: required %r missing" % (path, key)
        for key, sub in (schema.get("properties") or {}).items():
            if key in instance and isinstance(sub, dict):
                check(instance[key], sub, root, "%s.%s" % (path, key), date_time)
    if isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for i, value in enumerate(instance):
            check(value, schema["items"], root, "%s[%d]" % (path, i), date_time)
    return instance
