#!/usr/bin/env python3
"""Writes cases.json, the hostile input corpus. Run from anywhere: python3 generate.py

Each case is one Kafka record (topic, key, value, headers) and the outcome the README prescribes
for it: the queue it is routed to, or the poison reason. Expected outcomes were written from the
README's rules, not by running the router. Large values are described as parts
({"base64", "repeat"}) that the test concatenates, so the file stays small.
"""
import base64, json, os

ID = "5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11"
AT = "2024-05-01T12:34:56Z"
OBJ = '{"user_id":"u-1","name":"Ada"}'
cases = []


def b64(b):
    return base64.b64encode(b).decode()


def ev(id='"%s"' % ID, at='"%s"' % AT, type='"USER.CREATED"', obj=OBJ, extra=None):
    members = []
    if id is not None: members.append('"id":' + id)
    if at is not None: members.append('"created_at":' + at)
    if type is not None: members.append('"type":' + type)
    if obj is not None: members.append('"object":' + obj)
    if extra: members.append(extra)
    return "{" + ",".join(members) + "}"


def add(name, value, expect, topic="Notifications", headers=None, key=None, parts=None, note=None):
    case = {"name": name, "topic": topic}
    if note: case["note"] = note
    if parts is not None:
        case["valueParts"] = [{"base64": b64(p.encode() if isinstance(p, str) else p), "repeat": r} for p, r in parts]
    else:
        if isinstance(value, str): value = value.encode("utf-8")
        case["value"] = None if value is None else b64(value)
    case["key"] = None if key is None else b64(key)
    case["headers"] = [{"name": n, "value": None if v is None else b64(v.encode() if isinstance(v, str) else v)} for n, v in (headers or [])]
    if expect.startswith("poison:"): case["expect"] = {"poison": expect[7:]}
    else: case["expect"] = {"queue": expect}
    cases.append(case)


VALID = ev()
# --- baseline ---------------------------------------------------------------------------------
add("valid-baseline", VALID, "events-user")
add("valid-leading-and-trailing-whitespace", " \t\r\n" + VALID + "\n\n ", "events-user", note="JSON allows insignificant whitespace around the value")
add("valid-unknown-fields-kept", ev(extra='"extra":[1,2,{"a":null}],"meta":{"v":1}'), "events-user")
add("valid-prices-topic-any-type", ev(type='"PRICE.UPDATED"'), "prices", topic="Prices")

# --- empty, tombstone, not UTF-8 -------------------------------------------------------------
add("empty-value", b"", "poison:empty-value")
add("null-tombstone", None, "poison:empty-value", key=b"user-1")
add("invalid-utf8-lone-continuation", VALID[:-2].encode() + b'\x80}}', "poison:not-utf8")
add("invalid-utf8-in-unknown-field", ev(extra='"x":"').encode() + b'\xff\xfe"}', "poison:not-utf8")
add("overlong-utf8-slash", ev(extra='"x":"').encode() + b'\xc0\xaf"}', "poison:not-utf8", note="overlong encoding of '/'")
add("overlong-utf8-nul", ev(type='"USER.').encode().replace(b'"USER.', b'"USER.\xc0\x80CREATED"'), "poison:not-utf8", note="modified-UTF-8 NUL")
add("utf8-encoded-surrogate", ev(extra='"x":"').encode() + b'\xed\xa0\x80"}', "poison:not-utf8", note="CESU-style surrogate half")
add("utf8-beyond-u10ffff", ev(extra='"x":"').encode() + b'\xf4\x90\x80\x80"}', "poison:not-utf8")
add("truncated-inside-multibyte", ev(type='"USER.CRÉÉ"').encode()[:ev(type='"USER.CRÉÉ"').encode().index(b'\xc3') + 1], "poison:not-utf8", note="cut between the two bytes of É")
add("latin1-encoded-event", ev(type='"USER.CRÉÉ"').encode("latin-1"), "poison:not-utf8")
add("utf16le-encoded-event", VALID.encode("utf-16-le"), "poison:invalid-json", note="every other byte is NUL: valid UTF-8, not JSON")

# --- not well-formed JSON ----------------------------------------------------------------------
add("bom-prefixed", b'\xef\xbb\xbf' + VALID.encode(), "poison:invalid-json")
add("truncated-half", VALID[: len(VALID) // 2], "poison:invalid-json")
add("truncated-last-brace", VALID[:-1], "poison:invalid-json")
add("trailing-garbage", VALID + "x", "poison:invalid-json")
add("trailing-second-object", VALID + VALID, "poison:invalid-json")
add("trailing-nul", VALID.encode() + b'\x00', "poison:invalid-json")
add("nul-inside-string-raw", VALID.replace('"USER.CREATED"', '"USER.\x00CREATED"'), "poison:invalid-json", note="raw control characters are not allowed in JSON strings")
add("nul-before-value", b'\x00' + VALID.encode(), "poison:invalid-json")
add("whitespace-only", "   \n\t", "poison:invalid-json")
add("trailing-comma", VALID[:-1] + ",}", "poison:invalid-json")
add("comment", "/* hi */" + VALID, "poison:invalid-json")
add("single-quoted", VALID.replace('"', "'"), "poison:invalid-json")
add("nan-literal", ev(extra='"x":NaN'), "poison:invalid-json")
add("leading-zero-number", ev(extra='"x":01'), "poison:invalid-json")
add("plus-number", ev(extra='"x":+1'), "poison:invalid-json")
add("invalid-escape", ev(type='"USER.\\xCREATED"'), "poison:invalid-json")
add("raw-tab-in-string", ev(type='"USER.\tCREATED"'), "poison:invalid-json")
add("unquoted-key", VALID.replace('"type"', 'type'), "poison:invalid-json")
add("deep-nesting-10000-in-object", None, "poison:invalid-json",
    parts=[(VALID[:-2] + ',"deep":', 1), ("[", 10000), ("]", 10000), ("}}", 1)])
add("deep-nesting-10000-objects-root", None, "poison:invalid-json", parts=[('{"a":', 10000), ("1", 1), ("}", 10000)])
add("deep-nesting-10000-unclosed", None, "poison:invalid-json", parts=[("[", 10000)])
# Depth: the event object is 1, "object" is 2; 62 more arrays reach exactly 64 (allowed), 63 exceed it.
add("nesting-exactly-64-routed", ev(obj='{"a":' + "[" * 62 + "]" * 62 + "}"), "events-user", note="nesting of 64 is allowed")
add("nesting-65-rejected", ev(obj='{"a":' + "[" * 63 + "]" * 63 + "}"), "poison:invalid-json", note="nesting deeper than 64")
add("deep-nesting-after-bad-id", ev(id="42", obj='{"a":' + "[" * 100 + "]" * 100 + "}"), "poison:invalid-json", note="not well-formed wins over a field error")

# --- not an object -------------------------------------------------------------------------------
add("json-null", "null", "poison:not-an-object")
add("json-array-of-event", "[" + VALID + "]", "poison:not-an-object")
add("json-string", '"USER.CREATED"', "poison:not-an-object")
add("json-number-huge", "1" + "0" * 400, "poison:not-an-object")
add("json-true", "true", "poison:not-an-object")

# --- missing, wrong type, duplicate ------------------------------------------------------------------
add("empty-object", "{}", "poison:missing-field")
for field in ("id", "created_at", "type", "object"):
    kw = {"at" if field == "created_at" else ("obj" if field == "object" else field): None}
    add(f"missing-{field}", ev(**kw), "poison:missing-field")
add("keys-wrong-case", VALID.replace('"id"', '"ID"').replace('"type"', '"Type"'), "poison:missing-field", note="JSON member names are case-sensitive")
wrong = {"number": "42", "float": "1e400", "true": "true", "false": "false", "null": "null", "array": '["x"]', "object": '{"a":1}'}
for field in ("id", "created_at", "type"):
    for kind, frag in wrong.items():
        kw = {"at" if field == "created_at" else field: frag}
        add(f"wrong-type-{field}-{kind}", ev(**kw), "poison:wrong-type")
for kind, frag in {"string": '"{}"', "number": "0", "true": "true", "null": "null", "array": "[]"}.items():
    add(f"wrong-type-object-{kind}", ev(obj=frag), "poison:wrong-type")
add("duplicate-id", ev(extra='"id":"%s"' % ID), "poison:duplicate-field")
add("duplicate-type-different", ev(extra='"type":"ORDER.CREATED"'), "poison:duplicate-field")
add("duplicate-type-via-escaped-name", ev(extra='"t\\u0079pe":"USER.CREATED"'), "poison:duplicate-field", note="\"t\\u0079pe\" is the member name \"type\"")
add("duplicate-object", ev(extra='"object":{}'), "poison:duplicate-field")
add("duplicate-created-at-second-invalid", ev(extra='"created_at":5'), "poison:duplicate-field")
add("duplicate-unknown-field-accepted", ev(extra='"x":1,"x":2'), "events-user", note="only the four required fields are checked")
add("duplicate-key-inside-object-accepted", ev(obj='{"a":1,"a":2}'), "events-user")
add("all-member-names-escaped", ev().replace('"id"', '"\\u0069\\u0064"').replace('"type"', '"\\u0074ype"').replace('"object"', '"o\\u0062ject"').replace('"created_at"', '"created\\u005fat"'), "events-user")

# --- numbers ----------------------------------------------------------------------------------------
add("number-out-of-double-range-in-object", ev(obj='{"n":1e400,"m":-1e400,"k":123456789012345678901234567890}'), "events-user", note="JSON sets no numeric range")
add("number-negative-zero-and-tiny", ev(obj='{"n":-0,"m":1e-400,"k":0.0000000000000000000000000001}'), "events-user")
add("number-1000-digits", ev(obj='{"n":' + "9" * 1000 + "}"), "events-user")

# --- ids ---------------------------------------------------------------------------------------------
add("id-uppercase", ev(id='"%s"' % ID.upper()), "events-user", note="hex digits are case-insensitive (RFC 9562)")
add("id-nil", ev(id='"00000000-0000-0000-0000-000000000000"'), "events-user")
add("id-max", ev(id='"ffffffff-ffff-ffff-ffff-ffffffffffff"'), "events-user")
add("id-all-escaped", ev(id='"' + "".join("\\u%04x" % ord(c) for c in ID) + '"'), "events-user", note="the string value is the UUID")
add("id-braced", ev(id='"{%s}"' % ID), "poison:invalid-id")
add("id-parenthesised", ev(id='"(%s)"' % ID), "poison:invalid-id")
add("id-no-hyphens", ev(id='"%s"' % ID.replace("-", "")), "poison:invalid-id")
add("id-urn", ev(id='"urn:uuid:%s"' % ID), "poison:invalid-id")
add("id-surrounding-spaces", ev(id='" %s "' % ID[:34]), "poison:invalid-id")
add("id-hyphens-misplaced", ev(id='"5f0c7a363-d0e-4f6b-9a53-2a6b0f6f1c11"'), "poison:invalid-id")
add("id-non-hex", ev(id='"5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c1g"'), "poison:invalid-id")
add("id-hex-prefix-in-group", ev(id='"0x0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11"'), "poison:invalid-id")
add("id-sign-in-group", ev(id='"+f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11"'), "poison:invalid-id")
add("id-fullwidth-digits", ev(id='"５f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11"'), "poison:invalid-id")
add("id-empty", ev(id='""'), "poison:invalid-id")
add("id-lone-surrogate-escape", ev(id='"\\ud800' + ID[1:] + '"'), "poison:invalid-id")
add("id-too-long-escaped", ev(id='"' + "\\u0030" * 100 + '"'), "poison:invalid-id")

# --- created_at (RFC 3339) --------------------------------------------------------------------------
for name, at, expect in [
    ("leap-second", "2016-12-31T23:59:60Z", "events-user"),
    ("offset-positive", "2024-05-01T12:34:56+05:30", "events-user"),
    ("offset-negative-zero", "2024-05-01T12:34:56-00:00", "events-user"),
    ("offset-max", "2024-05-01T12:34:56+23:59", "events-user"),
    ("lowercase-t-z", "2024-05-01t12:34:56z", "events-user"),
    ("fraction-nanos", "2024-05-01T12:34:56.123456789Z", "events-user"),
    ("fraction-40-digits", "2024-05-01T12:34:56." + "1" * 40 + "Z", "events-user"),
    ("feb-29-leap-year", "2024-02-29T00:00:00Z", "events-user"),
    ("year-0000", "0000-01-01T00:00:00Z", "events-user"),
    ("year-9999-end", "9999-12-31T23:59:59Z", "events-user"),
    ("no-timezone", "2024-05-01T12:34:56", "poison:invalid-created-at"),
    ("space-separator", "2024-05-01 12:34:56Z", "poison:invalid-created-at"),
    ("date-only", "2024-05-01", "poison:invalid-created-at"),
    ("feb-29-common-year", "2023-02-29T00:00:00Z", "poison:invalid-created-at"),
    ("feb-30", "2024-02-30T00:00:00Z", "poison:invalid-created-at"),
    ("month-13", "2024-13-01T00:00:00Z", "poison:invalid-created-at"),
    ("hour-24", "2024-05-01T24:00:00Z", "poison:invalid-created-at"),
    ("second-61", "2024-05-01T23:59:61Z", "poison:invalid-created-at"),
    ("offset-24", "2024-05-01T12:34:56+24:00", "poison:invalid-created-at"),
    ("offset-no-colon", "2024-05-01T12:34:56+0530", "poison:invalid-created-at"),
    ("fraction-without-digits", "2024-05-01T12:34:56.Z", "poison:invalid-created-at"),
    ("trailing-text", "2024-05-01T12:34:56Zjunk", "poison:invalid-created-at"),
    ("unix-epoch-string", "1714566896", "poison:invalid-created-at"),
    ("two-digit-year", "24-05-01T12:34:56Z", "poison:invalid-created-at"),
    ("fullwidth-digit", "２024-05-01T12:34:56Z", "poison:invalid-created-at"),
]:
    add(f"created-at-{name}", ev(at=json.dumps(at, ensure_ascii=False)), expect)
add("created-at-escaped-valid", ev(at='"' + "".join("\\u%04x" % ord(c) for c in AT) + '"'), "events-user")
add("created-at-lone-surrogate-escape", ev(at='"2024-05-01T12:34:56Z\\udc00"'), "poison:invalid-created-at")

# --- types -------------------------------------------------------------------------------------------
for name, t, expect in [
    ("empty", "", "poison:empty-type"),
    ("space-only", " ", "events-unrouted"),
    ("no-dot-known-category", "USER", "events-unrouted"),
    ("trailing-dot", "USER.", "events-unrouted"),
    ("leading-dot", ".CREATED", "events-unrouted"),
    ("dot-only", ".", "events-unrouted"),
    ("three-parts", "USER.CREATED.V2", "events-user"),
    ("double-dot", "USER..CREATED", "events-user"),
    ("lowercase", "user.created", "events-unrouted"),
    ("leading-space", " USER.CREATED", "events-unrouted"),
    ("space-before-dot", "USER .CREATED", "events-unrouted"),
    ("unknown-category", "LOAN.CREATED", "events-unrouted"),
    ("category-with-hyphen", "ACCOUNT-GROUP.CREATED", "events-unrouted"),
    ("unicode-action", "USER.CRÉÉ", "events-user"),
    ("unicode-category", "ÜSER.CREATED", "events-unrouted"),
    ("cyrillic-homoglyph", "USЕR.CREATED", "events-unrouted"),
    ("emoji", "USER.🎉", "events-user"),
    ("rtl-override", "\u202eUSER.CREATED", "events-unrouted"),
    ("queue-name-injection", "../events-poison.x", "events-unrouted"),
    ("poison-lookalike", "POISON.CREATED", "events-unrouted"),
    ("account-group", "ACCOUNT_GROUP.CREATED", "events-account-group"),
]:
    add(f"type-{name}", ev(type=json.dumps(t, ensure_ascii=False)), expect)
add("type-escaped-known", ev(type='"\\u0055SER.CREATED"'), "events-user", note="the string value is USER.CREATED")
add("type-escaped-nul", ev(type='"USER\\u0000.CREATED"'), "events-unrouted")
add("type-escaped-nul-action", ev(type='"USER.\\u0000"'), "events-user")
add("type-10kb-known-category", ev(type='"USER.' + "A" * 10240 + '"'), "events-user")
add("type-10kb-unknown", ev(type='"' + "X" * 10240 + '.Y"'), "events-unrouted")
add("type-10kb-escaped", ev(type='"USER.' + "\\u0041" * 10240 + '"'), "events-user")
add("type-lone-high-surrogate-escape", ev(type='"USER.\\ud800"'), "poison:invalid-json",
    note="an unpaired surrogate escape is not Unicode text; the type cannot be read as a string")
add("type-lone-low-surrogate-escape", ev(type='"\\udc00"'), "poison:invalid-json")
add("type-valid-surrogate-pair-escape", ev(type='"USER.\\ud83c\\udf89"'), "events-user")

# --- huge values --------------------------------------------------------------------------------------
add("huge-string-1mb-unknown-field", None, "events-user", parts=[(VALID[:-1] + ',"blob":"', 1), ("A", 1024 * 1024), ('"}', 1)], note="offloaded to a blob")
add("huge-object-2mb", None, "events-user", parts=[(ev(obj='{"items":[')[:-1], 1), ('{"k":"v"},', 200000), ('{"k":"v"}]}}', 1)])
add("huge-invalid-1mb", None, "poison:invalid-json", parts=[('{"id":"', 1), ("A", 1024 * 1024)], note="value offloaded to a poison blob")
add("lone-surrogate-member-name-accepted", ev(extra='"\\ud800":1'), "events-user")
add("lone-surrogate-in-unknown-field-accepted", ev(extra='"x":"\\ud800"'), "events-user", note="only required fields are read as text")

# --- headers and keys ----------------------------------------------------------------------------------
add("header-event-type-lies", VALID, "events-user", headers=[("event-type", "ORDER.CREATED")], note="the body wins")
add("header-event-type-repeated", VALID, "events-user", headers=[("event-type", "USER.CREATED"), ("event-type", "ORDER.CREATED"), ("event-type", None)])
add("header-event-type-not-utf8", VALID, "events-user", headers=[("event-type", b"\xff\xfe")])
add("header-event-id-lies", VALID, "events-user", headers=[("event-id", "00000000-0000-0000-0000-000000000001")])
add("header-prices-topic-lie", VALID, "events-user", headers=[("topic", "Prices")])
add("poison-with-repeated-and-binary-headers", "{bad", "poison:invalid-json",
    headers=[("event-type", "USER.CREATED"), ("event-id", "a"), ("event-id", "b"), ("x-bin", b"\x00\xff\xc0\xaf"), ("x-null", None)])
add("poison-with-binary-key", "{bad", "poison:invalid-json", key=b"\xff\x00\xfe")
add("poison-with-huge-headers", "{bad", "poison:invalid-json", headers=[("h%d" % i, "v" * 1000) for i in range(100)], note="headers offloaded to a blob")

names = [c["name"] for c in cases]
assert len(names) == len(set(names)), "duplicate case names"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.json")
with open(out, "w") as f:
    json.dump({"description": "Hostile Kafka records and the outcome README.md prescribes for each; generated by generate.py.",
               "cases": cases}, f, indent=1)
    f.write("\n")
print(len(cases), "cases ->", out)
