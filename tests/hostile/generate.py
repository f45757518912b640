#!/usr/bin/env python3
"""Writes the hostile-input cases of tests/hostile/ (see tests/hostile.rs).

Each case below is one distinct input. Cases with kustomize semantics
(`K(...)`) are recorded with kubectl: its verdict becomes the case's
`kustomize:` line and strata's expected exit status (0 or 1), and what it
printed becomes `expected.yaml`. Cases of strata's own (`S(...)`) state
their expectation here.

    tests/hostile/generate.py            # rewrite every case (needs kubectl)
    tests/hostile/generate.py PREFIX...  # only cases whose name starts so
"""

import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = []


def K(name, files, stderr=(), args="build .", absent=(), note=None):
    """A case kustomize decides: recorded with kubectl."""
    CASES.append(dict(name=name, files=files, stderr=list(stderr), args=args,
                      absent=list(absent), kustomize=True, exit=None, setup=[],
                      file=[], nofile=[]))


def S(name, files, exit, stderr=(), args="build .", absent=(), setup=(), file=(), nofile=()):
    """A case of strata's own (no kustomize verdict applies)."""
    CASES.append(dict(name=name, files=files, stderr=list(stderr), args=args,
                      absent=list(absent), kustomize=False, exit=exit, setup=list(setup),
                      file=list(file), nofile=list(nofile)))


def cm(name="a", metadata_extra="", data="data:\n  k: v\n"):
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n{metadata_extra}{data}"


KUST = "resources:\n- cm.yaml\n"
DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: app
        image: nginx:1.0
"""

# --- item 2: annotation (and generator-merged label) values are strings ---
ANNOTATION_VALUES = {
    "int": "1", "bool-yes": "yes", "bool-true": "true", "bool-False": "False",
    "float-exp": "1e3", "float": "1.50", "null-word": "null", "null-empty": "",
    "null-tilde": "~", "octal": "0o17", "octal-old": "017", "hex": "0x1F",
    "inf": ".inf", "nan": ".nan", "date": "2001-12-14", "timestamp": "2001-12-14T21:59:43.10-05:00",
    "minus-zero": "-0", "underscore": "1_000", "str-tag": "!!str 12", "single-quoted": "'quoted'",
    "double-quoted-digits": '"007"', "flow-map": "{x: 1}", "flow-list": "[1, 2]",
    "block-literal": "|\n      multi\n      line", "folded": ">\n      folded\n      text",
    "big-int": "123456789012345678901234567890", "negative": "-12", "plus": "+12",
    "colon-string": "'a: b'", "int-tag": "!!int 7",
}
for label, value in ANNOTATION_VALUES.items():
    K(f"annotation-value-{label}", {
        "kustomization.yaml": KUST,
        "cm.yaml": cm(metadata_extra=f"  annotations:\n    v: {value}\n"),
    })
for label, value in {"string": '"str"', "list": "[a, b]", "number": "5", "null": "null",
                     "empty-map": "{}", "empty-list": "[]"}.items():
    K(f"annotation-not-a-map-{label}", {
        "kustomization.yaml": KUST,
        "cm.yaml": cm(metadata_extra=f"  annotations: {value}\n"),
    })
K("annotation-value-from-smp-patch", {
    "kustomization.yaml": KUST + "patches:\n- path: patch.yaml\n",
    "cm.yaml": cm(metadata_extra="  annotations:\n    b: 2\n"),
    "patch.yaml": cm(metadata_extra="  annotations:\n    x: 1e3\n    y: true\n", data=""),
})
K("annotation-value-from-json-patch", {
    "kustomization.yaml": KUST + "patches:\n- path: patch.yaml\n  target:\n    kind: ConfigMap\n",
    "cm.yaml": cm(metadata_extra="  annotations:\n    b: 2\n"),
    "patch.yaml": "- op: add\n  path: /metadata/annotations/q\n  value: 7\n"
                  "- op: add\n  path: /metadata/annotations/r\n  value: true\n",
})
K("annotation-value-with-common-annotations", {
    "kustomization.yaml": KUST + "commonAnnotations:\n  z: \"1\"\n",
    "cm.yaml": cm(metadata_extra="  annotations:\n    port: 8080\n"),
})
K("annotation-values-on-deployment-template", {
    "kustomization.yaml": "resources:\n- deploy.yaml\n",
    "deploy.yaml": DEPLOY.replace("    metadata:\n      labels:",
                                  "    metadata:\n      annotations:\n        n: 1\n      labels:"),
})
K("label-values-keep-their-type", {
    "kustomization.yaml": KUST,
    "cm.yaml": cm(metadata_extra="  labels:\n    port: 8080\n    on: true\n"),
})
K("label-values-after-generator-merge", {
    "kustomization.yaml": "resources:\n- base\nconfigMapGenerator:\n- name: a\n  behavior: merge\n  literals:\n  - x=1\n",
    "base/kustomization.yaml": KUST,
    "base/cm.yaml": cm(metadata_extra="  labels:\n    port: 8080\n    d: null\n    b: yes\n"),
})
K("label-values-after-generator-replace", {
    "kustomization.yaml": "resources:\n- base\nconfigMapGenerator:\n- name: a\n  behavior: replace\n  literals:\n  - x=1\n",
    "base/kustomization.yaml": KUST,
    "base/cm.yaml": cm(metadata_extra="  labels:\n    port: 8080\n  annotations:\n    n: 3\n"),
})
K("annotation-local-config-bool", {
    "kustomization.yaml": "resources:\n- cm.yaml\n- local.yaml\n",
    "cm.yaml": cm(),
    "local.yaml": cm(name="local", metadata_extra="  annotations:\n    config.kubernetes.io/local-config: true\n"),
})

# --- item 3: input kustomize rejects ---
for label, name in {"missing": None, "number": "5", "list": "[a]", "map": "{a: 1}",
                    "null": "null", "bool": "true", "empty": '""'}.items():
    meta = "metadata:\n  labels:\n    a: b\n" if name is None else f"metadata:\n  name: {name}\n"
    K(f"name-{label}", {
        "kustomization.yaml": KUST,
        "cm.yaml": f"apiVersion: v1\nkind: ConfigMap\n{meta}data:\n  k: v\n",
    })
K("reject-empty-kustomization", {"kustomization.yaml": ""})
K("reject-comment-only-kustomization", {"kustomization.yaml": "# nothing here\n"})
K("reject-whitespace-kustomization", {"kustomization.yaml": "\n\n   \n"})
for label, value in {"number": "5", "list": "[a]", "string": "x"}.items():
    K(f"reject-kustomization-metadata-{label}", {
        "kustomization.yaml": f"metadata: {value}\n" + KUST, "cm.yaml": cm()})
for field in ["resourcez", "namePrefixx", "bases2", "foo"]:
    K(f"reject-null-unknown-field-{field}", {
        "kustomization.yaml": KUST + f"{field}:\n", "cm.yaml": cm()})
K("reject-unknown-field-with-value", {
    "kustomization.yaml": KUST + "resourcez: [x.yaml]\n", "cm.yaml": cm()})
K("reject-json-patch-removes-metadata", {
    "kustomization.yaml": KUST + "patches:\n- patch: '[{\"op\": \"remove\", \"path\": \"/metadata\"}]'\n  target:\n    kind: ConfigMap\n",
    "cm.yaml": cm()})
K("reject-json-patch-removes-metadata-name", {
    "kustomization.yaml": KUST + "patches:\n- patch: '[{\"op\": \"remove\", \"path\": \"/metadata/name\"}]'\n  target:\n    kind: ConfigMap\n",
    "cm.yaml": cm()})
SEQUENCE_ITEMS = {
    "images": "images:\n- [nginx, evil.io/nginx, '6.6.6']\n",
    "configmapgenerator": "configMapGenerator:\n- [mycm, other-ns]\n",
    "secretgenerator": "secretGenerator:\n- [mysecret, other-ns]\n",
    "patches": "patches:\n- [patch.yaml]\n",
    "replicas": "replicas:\n- [web, 5]\n",
    "labels": "labels:\n- [a, b]\n",
    "replacements": "replacements:\n- [a, b]\n",
    "patches-json6902": "patchesJson6902:\n- [patch.yaml]\n",
    "helmcharts": "helmCharts:\n- [chart]\n",
    "vars": "vars:\n- [v]\n",
    "images-scalar": "images:\n- nginx\n",
    "replicas-scalar": "replicas:\n- web\n",
}
for label, entry in SEQUENCE_ITEMS.items():
    K(f"reject-sequence-item-{label}", {
        "kustomization.yaml": "resources:\n- deploy.yaml\n" + entry,
        "deploy.yaml": DEPLOY,
        "patch.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 9\n",
    })
for label, entry in {"nameprefix-list": "namePrefix: [a]\n", "namespace-map": "namespace: {a: 1}\n",
                     "commonlabels-list": "commonLabels: [a]\n", "resources-map": "resources: {a: 1}\n",
                     "resources-nested-list": "resources:\n- [deploy.yaml]\n"}.items():
    K(f"reject-field-type-{label}", {
        "kustomization.yaml": ("resources:\n- deploy.yaml\n" if not label.startswith("resources") else "") + entry,
        "deploy.yaml": DEPLOY})

# --- item 4: input kustomize accepts ---
def nested_map(depth):
    return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  k: v\nx: " + "{a: " * depth + "1" + "}" * depth + "\n"


def nested_list(depth):
    return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  k: v\nx: " + "[" * depth + "1" + "]" * depth + "\n"


for depth in [200, 254, 256, 300, 1000, 5000]:
    K(f"accept-nested-map-{depth}", {"kustomization.yaml": "resources:\n- deep.yaml\n", "deep.yaml": nested_map(depth)})
for depth in [256, 1000, 5000]:
    K(f"accept-nested-list-{depth}", {"kustomization.yaml": "resources:\n- deep.yaml\n", "deep.yaml": nested_list(depth)})
# kustomize takes minutes from here on (go-yaml v3 caps depth at 10,000): no recorded verdict.
S("nested-map-9500", {"kustomization.yaml": "resources:\n- deep.yaml\n", "deep.yaml": nested_map(9500)}, exit=0)
S("nested-list-9500", {"kustomization.yaml": "resources:\n- deep.yaml\n", "deep.yaml": nested_list(9500)}, exit=0)
S("nested-map-11000", {"kustomization.yaml": "resources:\n- deep.yaml\n", "deep.yaml": nested_map(11000)},
  exit=1, stderr=["deep.yaml"])
for field in ["literals", "files", "envs"]:
    K(f"accept-generator-{field}-null", {
        "kustomization.yaml": f"configMapGenerator:\n- name: g\n  {field}: null\n  literals2: null\n".replace("  literals2: null\n", "")})
K("accept-generator-literals-empty", {"kustomization.yaml": "configMapGenerator:\n- name: g\n  literals:\n"})
K("accept-duplicate-key-first-empty", {"kustomization.yaml": "resources:\nresources:\n- cm.yaml\n", "cm.yaml": cm()})
K("accept-duplicate-key-first-list", {"kustomization.yaml": "resources:\n- nothere.yaml\nresources:\n- cm.yaml\n", "cm.yaml": cm()})
K("duplicate-key-in-resource", {"kustomization.yaml": KUST, "cm.yaml": cm() + "data:\n  j: w\n"})
K("duplicate-key-in-resource-first-empty", {"kustomization.yaml": KUST, "cm.yaml": cm(data="data:\n") + "data:\n  j: w\n"})
JSON_PATHS = {
    "append": ("add", "/spec/template/spec/containers/-", '{"name": "side", "image": "busybox"}'),
    "index-0": ("add", "/spec/template/spec/containers/0", '{"name": "side", "image": "busybox"}'),
    "index-end": ("add", "/spec/template/spec/containers/1", '{"name": "side", "image": "busybox"}'),
    "index-past-end": ("add", "/spec/template/spec/containers/2", '{"name": "side", "image": "busybox"}'),
    "index-leading-zero": ("replace", "/spec/template/spec/containers/00/image", '"x"'),
    "index-negative": ("replace", "/spec/template/spec/containers/-1/image", '"x"'),
    "index-huge": ("replace", "/spec/template/spec/containers/99999999999999999999/image", '"x"'),
    "replace-missing": ("replace", "/spec/replicas", "3"),
    "remove-missing": ("remove", "/spec/nothere", None),
    "test-fails": ("test", "/spec/template/spec/containers/0/image", '"other"'),
    "test-passes": ("test", "/spec/template/spec/containers/0/image", '"nginx:1.0"'),
    "move-into-self": ("move", "/spec/template/spec/containers/0/x", None),
    "tilde-escape": ("add", "/metadata/annotations", '{"a~b/c": "1"}'),
    "empty-path": ("replace", "", '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "z"}}'),
    "no-leading-slash": ("replace", "spec/replicas", "3"),
}
for label, (op, path, value) in JSON_PATHS.items():
    patch = f'{{"op": "{op}", "path": "{path}"'
    if op == "move":
        patch = f'{{"op": "move", "from": "/spec/template/spec/containers/0", "path": "{path}"'
    elif value is not None:
        patch += f', "value": {value}'
    patch += "}"
    K(f"json-patch-{label}", {
        "kustomization.yaml": "resources:\n- deploy.yaml\npatches:\n- path: patch.json\n  target:\n    kind: Deployment\n",
        "deploy.yaml": DEPLOY, "patch.json": f"[{patch}]\n"})
for behavior in ["create", "merge", "replace", "Merge", "CREATE", "", "unknown", "null"]:
    K(f"generator-behavior-{behavior or 'empty'}", {
        "kustomization.yaml": "resources:\n- base\nconfigMapGenerator:\n- name: g\n"
                              f"  behavior: {behavior if behavior else chr(34) * 2}\n  literals:\n  - b=2\n",
        "base/kustomization.yaml": "configMapGenerator:\n- name: g\n  literals:\n  - a=1\n"})

# --- item 8: no object content in errors ---
SECRET = "c3VwZXJzZWNyZXQ="   # "supersecret"
for label, header in {"kind-typo": "apiVersion: v1\nKind: Secret\n", "no-kind": "apiVersion: v1\n",
                      "no-apiversion": "kind: Secret\n", "kind-number": "apiVersion: v1\nkind: 5\n",
                      "apiversion-list": "apiVersion: [v1]\nkind: Secret\n"}.items():
    K(f"secret-not-printed-{label}", {
        "kustomization.yaml": "resources:\n- s.yaml\n",
        "s.yaml": header + f"metadata:\n  name: s\ndata:\n  password: {SECRET}\nstringData:\n  token: plaintexttoken\n"},
      absent=[SECRET, "plaintexttoken"])
K("secret-not-printed-name-number", {
    "kustomization.yaml": "resources:\n- s.yaml\n",
    "s.yaml": f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: 5\ndata:\n  password: {SECRET}\n"},
  absent=[SECRET])
K("secret-not-printed-duplicate", {
    "kustomization.yaml": "resources:\n- s.yaml\n- s2.yaml\n",
    "s.yaml": f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: {SECRET}\n",
    "s2.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  token: plaintexttoken\n"},
  absent=[SECRET, "plaintexttoken"])
K("secret-not-printed-bad-patch-target", {
    "kustomization.yaml": "resources:\n- s.yaml\npatches:\n- path: p.yaml\n",
    "s.yaml": f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: {SECRET}\n",
    "p.yaml": "apiVersion: v1\nKind: Secret\nmetadata:\n  name: s\nstringData:\n  token: plaintexttoken\n"},
  absent=[SECRET, "plaintexttoken"])
S("secret-not-printed-live-bad-kind", {
    "kustomization.yaml": "resources:\n- s.yaml\n",
    "s.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: YQ==\n",
    "live.yaml": f"apiVersion: v1\nKind: Secret\nmetadata:\n  name: s\ndata:\n  password: {SECRET}\n"},
  exit=2, args="diff --live live.yaml .", absent=[SECRET])

# --- item 9: symlinks and special files ---
S("symlink-kustomization-outside-root", {
    "root/kustomization.yaml": "->../outside/kustomization.yaml",
    "outside/kustomization.yaml": "resources:\n- cm.yaml\n", "root/cm.yaml": cm()},
  exit=1, args="build root", stderr=["outside"])
S("symlink-resource-outside-root", {
    "root/kustomization.yaml": KUST, "root/cm.yaml": "->../outside/cm.yaml", "outside/cm.yaml": cm()},
  exit=1, args="build root", stderr=["outside"])
S("symlink-resource-inside-root", {
    "kustomization.yaml": KUST, "cm.yaml": "->real/cm.yaml", "real/cm.yaml": cm()},
  exit=0)
S("symlink-loop-resource", {
    "kustomization.yaml": KUST, "cm.yaml": "->loop.yaml", "loop.yaml": "->cm.yaml"},
  exit=1, stderr=["cm.yaml", "symbolic link loop"])
S("symlink-dangling-resource", {
    "kustomization.yaml": KUST, "cm.yaml": "->nothere.yaml"},
  exit=1, stderr=["cm.yaml", "dangling symbolic link"])
S("fifo-resource", {"kustomization.yaml": "resources:\n- pipe.yaml\n"},
  exit=1, setup=["fifo pipe.yaml"], stderr=["pipe.yaml", "FIFO"])
S("fifo-kustomization", {"dir/.keep": ""}, exit=1, args="build dir",
  setup=["fifo dir/kustomization.yaml"], stderr=["kustomization.yaml"])
S("fifo-patch", {"kustomization.yaml": KUST + "patches:\n- path: pipe.yaml\n", "cm.yaml": cm()},
  exit=1, setup=["fifo pipe.yaml"], stderr=["pipe.yaml"])
S("fifo-generator-file", {"kustomization.yaml": "configMapGenerator:\n- name: g\n  files:\n  - pipe.txt\n"},
  exit=1, setup=["fifo pipe.txt"], stderr=["pipe.txt"])
S("device-resource", {"kustomization.yaml": "resources:\n- /dev/zero\n"},
  exit=1, args="build . --load-restrictor LoadRestrictionsNone", stderr=["/dev/zero", "character device"])
S("diff-live-fifo", {"kustomization.yaml": KUST, "cm.yaml": cm()},
  exit=2, args="diff --live pipe.yaml .", setup=["fifo pipe.yaml"], stderr=["pipe.yaml"])

# --- item 6: `-o` writing ---
S("output-dev-full", {"kustomization.yaml": KUST, "cm.yaml": cm()},
  exit=1, args="build . -o /dev/full", stderr=["cannot write `/dev/full`", "No space left"])
S("output-dev-null", {"kustomization.yaml": KUST, "cm.yaml": cm()},
  exit=0, args="build . -o /dev/null")
S("output-dir-name-escapes", {
    "kustomization.yaml": KUST, "cm.yaml": cm(name="x/../../escaped"), "out/.keep": ""},
  exit=1, args="build . -o out", nofile=["escaped.yaml", "v1_configmap_x"])
S("output-dir-name-slash", {
    "kustomization.yaml": KUST, "cm.yaml": cm(name="a/b"), "out/.keep": ""},
  exit=1, args="build . -o out")
S("output-file-planted-symlink", {
    "kustomization.yaml": KUST, "cm.yaml": cm(), "victim.txt": "keep me\n", "out.yaml": "->victim.txt"},
  exit=1, args="build . -o out.yaml", stderr=["out.yaml", "symbolic link"])
S("output-dir-planted-symlink", {
    "kustomization.yaml": KUST, "cm.yaml": cm(), "victim.txt": "keep me\n",
    "out/v1_configmap_a.yaml": "->../victim.txt"},
  exit=1, args="build . -o out", stderr=["v1_configmap_a.yaml"])
S("output-file-written", {"kustomization.yaml": KUST, "cm.yaml": cm()},
  exit=0, args="build . -o out.yaml", file=["out.yaml"])
S("output-dir-written", {"kustomization.yaml": KUST, "cm.yaml": cm(), "out/.keep": ""},
  exit=0, args="build . -o out", file=["out/v1_configmap_a.yaml"])
S("output-missing-parent", {"kustomization.yaml": KUST, "cm.yaml": cm()},
  exit=1, args="build . -o nothere/out.yaml", stderr=["nothere"])
S("output-build-error-writes-nothing", {"kustomization.yaml": "resources:\n- missing.yaml\n"},
  exit=1, args="build . -o out.yaml", nofile=["out.yaml"])

# --- item 5: git option injection ---
for label, url in {
    "ref-upload-pack": "https://example.com/org/repo?ref=--upload-pack=touch%20/tmp/strata-pwned",
    "ref-dash": "https://example.com/org/repo?ref=-x",
    "ref-config": "https://example.com/org/repo//base?ref=--config=core.sshCommand=touch",
    "url-dash": "-uhttps://example.com/org/repo",
    "git-ssh-option": "git@github.com:org/repo?ref=--exec=touch",
    "version-dash": "https://example.com/org/repo?version=--upload-pack=x",
}.items():
    S(f"git-refused-{label}", {"kustomization.yaml": f"resources:\n- {url}\n"},
      exit=1, stderr=["refused" if not url.startswith("-") else "-uhttps"])

# --- item 7 and 10: jsonnet ---
S("jsonnet-library-path-outside-root", {
    "kustomization.yaml": "resources:\n- main.jsonnet\njsonnet:\n  libraryPaths:\n  - /etc\n",
    "main.jsonnet": "{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, data: {p: importstr 'passwd'}}\n"},
  exit=1, absent=["root:x:0:0"], stderr=["/etc"])
S("jsonnet-library-path-parent", {
    "root/kustomization.yaml": "resources:\n- main.jsonnet\njsonnet:\n  libraryPaths:\n  - ../lib\n",
    "root/main.jsonnet": "{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, data: {p: importstr 'secret.txt'}}\n",
    "lib/secret.txt": "outside-marker\n"},
  exit=1, args="build root", absent=["outside-marker"])
S("jsonnet-library-path-parent-allowed", {
    "root/kustomization.yaml": "resources:\n- main.jsonnet\njsonnet:\n  libraryPaths:\n  - ../lib\n",
    "root/main.jsonnet": "{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, data: {p: importstr 'secret.txt'}}\n",
    "lib/secret.txt": "outside-marker\n"},
  exit=0, args="build root --load-restrictor LoadRestrictionsNone")
S("jsonnet-library-path-inside", {
    "kustomization.yaml": "resources:\n- main.jsonnet\njsonnet:\n  libraryPaths:\n  - lib\n",
    "main.jsonnet": "{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, data: {p: importstr 'v.txt'}}\n",
    "lib/v.txt": "inside\n"},
  exit=0)
S("jsonnet-deep-value", {
    "kustomization.yaml": "resources:\n- main.jsonnet\n",
    "main.jsonnet": "local deep(n) = if n == 0 then 1 else {a: deep(n - 1)};\n"
                    "{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, x: deep(12000)}\n"},
  exit=1)
S("jsonnet-deep-array", {
    "kustomization.yaml": "resources:\n- main.jsonnet\n",
    "main.jsonnet": "local deep(n) = if n == 0 then 1 else [deep(n - 1)];\n"
                    "{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, x: deep(12000)}\n"},
  exit=1)
S("jsonnet-make-array-huge", {
    "kustomization.yaml": "resources:\n- main.jsonnet\n",
    "main.jsonnet": "{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, x: std.makeArray(1e9, function(i) i)}\n"},
  exit=1, stderr=["RUNTIME ERROR: std.makeArray: the result would have 1000000000 elements",
                  "--jsonnet-max-elements", "main.jsonnet:1:78-98\tfunction <makeArray> call"])
S("jsonnet-range-huge", {
    "kustomization.yaml": "resources:\n- main.jsonnet\n",
    "main.jsonnet": "{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, x: std.range(1, 1e8)}\n"},
  exit=1, stderr=["std.range: the result would have 100000000 elements", "--jsonnet-max-elements"])
# Allocation bounds: strings and arrays a few lines can make huge.
JSONNET_BOMBS = {
    "repeat-string": "data: {x: std.repeat('x', 1e8)}",
    "repeat-array": "x: std.repeat([1], 1e8)",
    "join-huge": "data: {x: std.join(',', std.makeArray(1e5, function(i) std.repeat('x', 200)))}",
    "string-doubling": "data: {x: local f(s, n) = if n == 0 then s else f(s + s, n - 1); f('x', 40)}",
    "array-doubling": "x: local f(a, n) = if n == 0 then a else f(a + a, n - 1); f([1], 31)",
}
JSONNET_BOMB_ERRORS = {
    "repeat-string": "std.repeat: the result would have 100000000 bytes",
    "repeat-array": "std.repeat: the result would have 100000000 elements",
    "join-huge": "std.join: the result would have 20099999 bytes",
    "string-doubling": "the program's value holds more than 100000000 bytes of strings",
    "array-doubling": "the program's value holds more than 10000000 values",
}
for label, field in JSONNET_BOMBS.items():
    S(f"jsonnet-bomb-{label}", {
        "kustomization.yaml": "resources:\n- main.jsonnet\n",
        "main.jsonnet": "{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, " + field + "}\n"},
      exit=1, stderr=["RUNTIME ERROR: " + JSONNET_BOMB_ERRORS[label], "--jsonnet-max-elements"])
S("jsonnet-max-elements-flag", {
    "kustomization.yaml": "resources:\n- main.jsonnet\n",
    "main.jsonnet": "{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, x: std.range(1, 100)}\n"},
  exit=1, args="build . --jsonnet-max-elements 50",
  stderr=["std.range: the result would have 100 elements, more than the limit of 50 (--jsonnet-max-elements)"])
S("jsonnet-max-elements-default-enough", {
    "kustomization.yaml": "resources:\n- main.jsonnet\n",
    "main.jsonnet": "{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, data: {n: std.toString(std.length(std.range(1, 1e6)))}}\n"},
  exit=0)
S("jsonnet-infinite-recursion", {
    "kustomization.yaml": "resources:\n- main.jsonnet\n",
    "main.jsonnet": "local f(n) = f(n + 1) + 1;\n{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, x: f(0)}\n"},
  exit=1)
S("jsonnet-missing-field-position", {
    "kustomization.yaml": "resources:\n- main.jsonnet\n",
    "main.jsonnet": "local o = {a: 1};\n{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, x: o.missing}\n"},
  exit=1, stderr=["RUNTIME ERROR: field does not exist: missing", "main.jsonnet:2:65-74\tfield <missing> access"])


# --- item 12: `diff --live` files ---
LIVE_CM = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\n"
           "  uid: 0b1c\n  resourceVersion: \"42\"\n  creationTimestamp: \"2026-01-01T00:00:00Z\"\n"
           "  labels:\n    added-by: server\n  annotations:\n    deployment.kubernetes.io/revision: \"3\"\n"
           "data:\n  k: v\n  extra: from-someone-else\n")
S("live-server-fields-are-not-changes", {"kustomization.yaml": KUST, "cm.yaml": cm(), "live.yaml": LIVE_CM},
  exit=0, args="diff --live live.yaml .")
S("live-namespace-defaulted-both-sides", {"kustomization.yaml": KUST, "cm.yaml": cm(),
                                          "live.yaml": cm().replace("  name: a\n", "  name: a\n  uid: x\n")},
  exit=0, args="diff --live live.yaml .")
S("live-namespace-flag-both-sides", {"kustomization.yaml": KUST, "cm.yaml": cm(),
                                     "live.yaml": cm()},
  exit=0, args="diff --live live.yaml -n prod .")
S("live-changed-field-is-a-change", {"kustomization.yaml": KUST, "cm.yaml": cm(),
                                     "live.yaml": LIVE_CM.replace("  k: v\n", "  k: old\n")},
  exit=1, args="diff --live live.yaml .", stderr=[])
S("live-object-not-built-is-not-deleted", {
    "kustomization.yaml": KUST, "cm.yaml": cm(),
    "live.yaml": "apiVersion: v1\nkind: List\nitems:\n- " + cm().replace("\n", "\n  ").rstrip() + "\n- "
                 + cm(name="other").replace("\n", "\n  ").rstrip() + "\n"},
  exit=0, args="diff --live live.yaml .")
S("live-list-items-not-a-list", {"kustomization.yaml": KUST, "cm.yaml": cm(),
                                 "live.yaml": "apiVersion: v1\nkind: List\nitems:\n  a: 1\n"},
  exit=2, args="diff --live live.yaml .", stderr=["items"])
S("live-duplicate-object", {"kustomization.yaml": KUST, "cm.yaml": cm(),
                            "live.yaml": cm() + "---\n" + cm().replace("  name: a\n", "  name: a\n  namespace: default\n")},
  exit=2, args="diff --live live.yaml .", stderr=["more than once"])
S("live-missing-object-is-created", {"kustomization.yaml": KUST, "cm.yaml": cm(), "live.yaml": cm(name="b")},
  exit=1, args="diff --live live.yaml .")
S("live-directory-fifo-ignored", {"kustomization.yaml": KUST, "cm.yaml": cm(), "live/a.yaml": cm()},
  exit=0, args="diff --live live .", setup=["fifo live/pipe.yaml"])

# --- item 11: strategic merge on deep objects ---
def deep_patch_case(depth):
    nest = "x: " + "{a: " * depth + "1" + "}" * depth + "\n"
    patch = "x: " + "{a: " * depth + "2" + "}" * depth + "\n"
    return {"kustomization.yaml": "resources:\n- deep.yaml\npatches:\n- path: patch.yaml\n",
            "deep.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\n" + nest,
            "patch.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\n" + patch}
for depth in [100, 500]:
    K(f"smp-deep-object-{depth}", deep_patch_case(depth))
S("smp-deep-object-6000", deep_patch_case(6000), exit=0)
S("smp-deep-new-subtree-6000", {
    "kustomization.yaml": "resources:\n- cm.yaml\npatches:\n- path: patch.yaml\n", "cm.yaml": cm(),
    "patch.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\nx: " + "{a: " * 6000 + "1" + "}" * 6000 + "\n"},
  exit=0)

# --- item 10: the jsonnet stack limit ---
S("jsonnet-max-stack-flag", {
    "kustomization.yaml": "resources:\n- main.jsonnet\n",
    "main.jsonnet": "local f(n) = if n == 0 then 'x' else f(n - 1);\n{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, data: {v: f(100)}}\n"},
  exit=1, args="build . --jsonnet-max-stack 20", stderr=["stack overflow"])
S("jsonnet-max-stack-default-enough", {
    "kustomization.yaml": "resources:\n- main.jsonnet\n",
    "main.jsonnet": "local f(n) = if n == 0 then 'x' else f(n - 1);\n{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, data: {v: f(100)}}\n"},
  exit=0)

# --- item 5: git values never read as options, `diff --git` too ---
S("git-diff-revision-dash", {"kustomization.yaml": KUST, "cm.yaml": cm()},
  exit=2, args="diff --git=--output=/tmp/strata-pwned .", nofile=["/tmp/strata-pwned"])


def write_case(case):
    directory = os.path.join(HERE, case["name"])
    shutil.rmtree(directory, ignore_errors=True)
    input_dir = os.path.join(directory, "input")
    os.makedirs(input_dir)
    for path, content in case["files"].items():
        full = os.path.join(input_dir, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if content.startswith("->"):
            os.symlink(content[2:], full)
        else:
            with open(full, "w") as f:
                f.write(content)
    lines = []
    if case["args"] != "build .":
        lines.append(f"args: {case['args']}")
    if case["kustomize"]:
        args = case["args"].split()
        assert args[0] == "build"
        run = subprocess.run(["kubectl", "kustomize", *args[1:]], cwd=input_dir,
                             capture_output=True, timeout=120)
        accepted = run.returncode == 0
        lines.append(f"kustomize: {'accepts' if accepted else 'refuses'}")
        case["exit"] = 0 if accepted else 1
        if accepted:
            with open(os.path.join(directory, "expected.yaml"), "wb") as f:
                f.write(run.stdout)
    else:
        lines.append("kustomize: n/a")
    lines.append(f"exit: {case['exit']}")
    for key in ["stderr", "absent", "setup", "file", "nofile"]:
        lines.extend(f"{key}: {value}" for value in case[key])
    with open(os.path.join(directory, "case"), "w") as f:
        f.write("\n".join(lines) + "\n")


# --- item 16: errors a user can act on ---
K("error-missing-resource-suggests-nearest", {"kustomization.yaml": "resources:\n- cm.yml\n", "cm.yaml": cm()},
  stderr=["no such file or directory", "did you mean `cm.yaml`?"])
K("error-missing-resource-no-near-name", {"kustomization.yaml": "resources:\n- deployment.yaml\n", "cm.yaml": cm()},
  stderr=["no such file or directory"])

# --- what the fuzz targets found (fuzz/) ---
# emit_roundtrip: an empty `annotations: {}` is not printed, so printing is
# not the identity on values (the target now checks printing is idempotent).
K("fuzz-emit-empty-annotations", {
    "kustomization.yaml": KUST,
    "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: empty-annotations\n  annotations: {}\n"})
# emit_roundtrip: an empty value merged into annotations through `<<: *x`
# prints "null" where kustomize prints "" (the merge loses the text): open.
K("fuzz-emit-annotation-from-merge-key", {"kustomization.yaml": KUST, "cm.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: anchors\n  labels: &labels\n    aq: pdemo\n    tier: &web\n  annotations:\n    <<: *labels\n  i t er: override\ndata:\n  a: &val shared\n  b: *val\n'})

# Inputs strata still gets wrong: kept here, not written, until fixed.
OPEN = set()


def main():
    prefixes = sys.argv[1:]
    names = set()
    for case in CASES:
        assert case["name"] not in names, case["name"]
        names.add(case["name"])
        if case["name"] in OPEN:
            continue
        if not prefixes or any(case["name"].startswith(p) for p in prefixes):
            write_case(case)
    print(f"{len(CASES)} cases")


if __name__ == "__main__":
    main()
