"""The API's own OpenAPI description, read the way a generated client reads it, for
tests that hold the schema and the server to the same contract (issue 15)."""

import copy

import jsonschema
from rest_framework.test import APIClient


def api_schema() -> dict:
    return APIClient().get("/api/schema/", {"format": "json"}).json()


def operation(schema: dict, method: str, path: str) -> dict:
    return schema["paths"][path][method]


def parameter(schema: dict, method: str, path: str, name: str) -> dict:
    return next(p for p in operation(schema, method, path)["parameters"] if p["name"] == name)


def component(schema: dict, name: str) -> dict:
    return schema["components"]["schemas"][name]


def request_body(schema: dict, method: str, path: str) -> dict:
    """The request body's component, its $ref followed."""
    ref = operation(schema, method, path)["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return component(schema, ref.rsplit("/", 1)[-1])


def _as_json_schema(node):
    """OpenAPI 3.0's `nullable` spelled as JSON Schema understands it."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def validate_against(schema: dict, body_schema: dict, value) -> None:
    """Raise jsonschema.ValidationError unless `value` fits `body_schema`, an
    operation's content schema whose $refs point into `schema`'s components."""
    document = _as_json_schema({**copy.deepcopy(body_schema), "components": schema["components"]})
    jsonschema.Draft202012Validator(document).validate(value)
