#!/usr/bin/env python3
"""Checks strata's --json output against the JSON Schemas in docs/json-schema (docs/json.md).

Usage: check_json_contract.py SCHEMA_DIR RUNS_FILE

RUNS_FILE holds one JSON object per line: {"case": name, "exit_code": N, "stdout": text}, the
output of one strata run each. For every run, stdout must hold one document (`backfill run`:
progress events, one per line, then the document), valid against the schema its "command"
names (<command with - for spaces>.schema.json, fleet.schema.json for a document with
"fleet": true, or failure.schema.json for a command line that names no command with a schema), carrying "error" exactly when the exit code is not 0,
with the same exit code. Prints every mismatch; exits 1 when there is one.

Works with python3-jsonschema 4.10 (Debian 12) and later versions.
"""
import json
import pathlib
import sys
import jsonschema


def load_schemas(directory):
    schemas = {}
    for path in sorted(pathlib.Path(directory).glob("*.schema.json")):
        schemas[path.name] = (path.resolve().as_uri(), json.loads(path.read_text()))
    return schemas


def validator_for(schemas, name):
    uri, schema = schemas[name]
    jsonschema.Draft202012Validator.check_schema(schema)
    try:  # jsonschema 4.18 and later resolve references through `referencing`
        import referencing
        import referencing.jsonschema
    except ImportError:
        referencing = None
    if referencing is not None:
        # The schemas have no $id: a reference "common.schema.json#..." names the file itself.
        registry = referencing.Registry().with_resources(
            (n, referencing.Resource.from_contents(
                s, default_specification=referencing.jsonschema.DRAFT202012))
            for n, (_, s) in schemas.items())
        return jsonschema.Draft202012Validator(schema, registry=registry)
    store = {u: s for u, s in schemas.values()}
    resolver = jsonschema.RefResolver(base_uri=uri, referrer=schema, store=store)
    return jsonschema.Draft202012Validator(schema, resolver=resolver)


def check_document(schemas, validators, run, document):
    problems = []
    command = document.get("command") if isinstance(document, dict) else None
    name = (command or "").replace(" ", "-") + ".schema.json"
    if isinstance(document, dict) and document.get("fleet") is True:
        name = "fleet.schema.json"  # any command run on a fleet (docs/fleets.md)
    if name not in schemas:
        name = "failure.schema.json"
    if name not in validators:
        validators[name] = validator_for(schemas, name)
    errors = list(validators[name].iter_errors(document))
    if errors:  # the deepest error inside the anyOf of result and failure says the most
        error = jsonschema.exceptions.best_match(errors)
        while error.context:
            error = jsonschema.exceptions.best_match(error.context)
        path = "/".join(str(p) for p in error.absolute_path)
        problems.append(f"{name} at /{path}: {error.message[:300]}")
    if not isinstance(document, dict):
        return problems
    error = document.get("error")
    if run["exit_code"] == 0 and error is not None:
        problems.append("exit code 0, but the document has an error")
    if run["exit_code"] != 0:
        if not isinstance(error, dict):
            problems.append(f"exit code {run['exit_code']}, but the document has no error")
        elif error.get("exit_code") != run["exit_code"]:
            problems.append(
                f"exit code {run['exit_code']}, but error.exit_code is {error.get('exit_code')}")
    return problems


def check_run(schemas, validators, run):
    lines = [line for line in run["stdout"].split("\n") if line.strip()]
    if not lines:
        return ["stdout holds no document"]
    try:
        documents = [json.loads(line) for line in lines]
    except json.JSONDecodeError as e:
        return [f"stdout is not JSON lines: {e}: {run['stdout'][:300]!r}"]
    *events, document = documents
    problems = []
    if events and document.get("command") != "backfill run":
        problems.append(f"{len(documents)} documents on stdout; one expected")
    for event in events:
        if "backfill-run-event.schema.json" not in validators:
            validators["backfill-run-event.schema.json"] = validator_for(
                schemas, "backfill-run-event.schema.json")
        for error in validators["backfill-run-event.schema.json"].iter_errors(event):
            problems.append(f"event {event.get('event')}: {error.message[:300]}")
    return problems + check_document(schemas, validators, run, document)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    schemas = load_schemas(sys.argv[1])
    validators = {}
    failures = 0
    runs = [json.loads(line) for line in open(sys.argv[2], encoding="utf-8") if line.strip()]
    for run in runs:
        for problem in check_run(schemas, validators, run):
            failures += 1
            print(f"{run['case']} (exit {run['exit_code']}): {problem}")
            print(f"  stdout: {run['stdout'][:500]}")
    unused = sorted(set(schemas) - set(validators) - {"common.schema.json"})
    print(f"checked {len(runs)} runs against {len(schemas)} schemas: {failures} problems"
          + (f" (no run used {', '.join(unused)})" if unused else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
