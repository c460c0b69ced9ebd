#!/usr/bin/env python3
"""Random JSONPath cases for the Jayway 2.0.0 oracle: one `[path, document]` JSON array a line.

Usage: generate.py COUNT SEED > cases.jsonl
Paths are built from the forms AWS users write (names, brackets, indexes, slices, wildcards,
scans, filters, `[(@.length-1)]`) and then, one time in three, mutated by a character so that
the odd corners of Jayway's grammar get exercised too.
"""
import json
import random
import sys

NAMES = ["a", "b", "v", "Name", "items", "x", "1", "a-b", "it's", "sum()", "*", "a]", "$", ""]
WORDS = ["'x'", "'Receipt'", "Receipt", "1", "2", "1.5", "-1", "true", "null", "'1'", "'null'", "x",
         "$.a", "@.b", "'a||b'", "/x.*/", "/X/i", "/[0-9]+/", "", "'it\\'s'", "1e5", "01", "-0", "1.0",
         "9007199254740993", "'\u00e9'", "'\U0001F600'", "'\uffff'", "TRUE", "'True'", "/\\d+/", "/a{2}/",
         "/(?i)x/", "/[a-c]+/i", "/\\w+/", "/./", "/a|b/", "@", "@.a[0]", "$['a']", "1e", ".5", "+1", "0x10"]
OPS = ["==", "!=", ">", ">=", "<", "<=", "=~", " == ", " > "]


def criterion(r):
    left = r.choice(["@.a", "@.v", "@.Name", "@['a']", "@[0]", "@", "$.a", "!@.a", "@.a.b", "@.x[*]", "1"])
    if r.random() < 0.3:
        return left
    return left + r.choice(OPS) + r.choice(WORDS)


def filter_text(r):
    parts = [criterion(r)]
    for _ in range(r.choice([0, 0, 1, 2])):
        parts.append(r.choice([" && ", " || ", "&&", "||"]))
        parts.append(criterion(r))
    body = "".join(parts)
    if r.random() < 0.2 and body:
        at = r.randrange(len(body))
        body = body[:at] + r.choice("()[]'&|!=<>~/ @$.x") + body[at:]
    if r.random() < 0.2:
        body = "(" + body + ")"
    return "[?(" + body + ")]"


def step(r):
    name = r.choice(NAMES)
    return r.choice([
        "." + name, "." + name, "['" + name + "']", "['a','b']", "['a', 'v']",
        "[0]", "[1]", "[2]", "[-1]", "[0,1]", "[1:]", "[:1]", "[0:2]", "[-2:]", "[1:2:3]",
        "[*]", ".*", "..a", "..v", "..[0]", "..*", "..['a','b']", "[(@.length-1)]", "[(@.length - 2)]",
        ".[0]", ".[*]", "[ 0 ]", "[ 'a' ]", filter_text(r), filter_text(r), "..[?(@.a)]", "[?]",
    ])


def path(r):
    text = "$" + "".join(step(r) for _ in range(r.choice([0, 1, 1, 2, 2, 3, 4])))
    if r.random() < 0.33 and len(text) > 1:
        at = r.randrange(len(text))
        text = r.choice([
            text[:at] + text[at + 1:],
            text[:at] + r.choice("$@.[]()'?*:,- !=<>&|x0") + text[at:],
        ])
    if r.random() < 0.05:
        text = text + r.choice([" ", "  ", "\t"])
    return text


def value(r, depth):
    kind = r.random()
    if depth > 3 or kind < 0.35:
        return r.choice([1, 2, 0, -1, 1.5, 1e20, "x", "1", "Receipt", "null", "true", "it's", True, False, None,
                         9007199254740993, 0.1, -0.0, 2 ** 63, "\u00e9", "\U0001F600", "\uffff", "TRUE", "aa", "1.0", ""])
    if kind < 0.65:
        return [value(r, depth + 1) for _ in range(r.choice([0, 1, 2, 3]))]
    keys = r.sample(["a", "b", "v", "Name", "items", "x", "1", "a-b"], r.choice([0, 1, 2, 3]))
    return {k: value(r, depth + 1) for k in keys}


def main():
    count, seed = int(sys.argv[1]), int(sys.argv[2])
    r = random.Random(seed)
    for _ in range(count):
        document = value(r, 0)
        if not isinstance(document, (dict, list)):
            document = {"a": document}
        print(json.dumps([path(r), document]))


main()
