#!/usr/bin/env python3
"""Regenerates k8s_merge.txt from kustomize's embedded Kubernetes schema.

    git -C <kustomize repo> show kustomize/v5.5.0:kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb > swagger.pb
    python3 gen_k8s_merge.py swagger.pb > k8s_merge.txt

swagger.pb is a gnostic OpenAPIv2 Document; this reads the protobuf wire
format directly (Document.definitions = 9; NamedSchema name = 1, value = 2;
Schema: _ref = 1, additional_properties = 21, type = 22, items = 23,
properties = 25, vendor_extension = 31; NamedAny value.yaml = 2).
"""
import re
import sys
def varint(b, i):
    r = 0; s = 0
    while True:
        c = b[i]; i += 1
        r |= (c & 0x7f) << s; s += 7
        if c < 0x80: return r, i
def fields(b):
    i = 0; out = []
    while i < len(b):
        k, i = varint(b, i); f, w = k >> 3, k & 7
        if w == 0: v, i = varint(b, i)
        elif w == 2:
            l, i = varint(b, i); v = b[i:i+l]; i += l
        elif w == 1: v = b[i:i+8]; i += 8
        elif w == 5: v = b[i:i+4]; i += 4
        else: raise Exception('wire %d' % w)
        out.append((f, v))
    return out
def schema(b):
    s = {}
    for f, v in fields(b):
        if f == 1: s['ref'] = v.decode()
        elif f == 21:
            for f2, v2 in fields(v):
                if f2 == 1: s['additionalProperties'] = schema(v2)
        elif f == 22: s['type'] = [x.decode() for f2, x in fields(v) if f2 == 1]
        elif f == 23:
            its = [schema(x) for f2, x in fields(v) if f2 == 1]
            if its: s['items'] = its[0]
        elif f == 25:
            props = {}
            for f2, ns in fields(v):
                if f2 != 1: continue
                name = None; val = None
                for f3, x in fields(ns):
                    if f3 == 1: name = x.decode()
                    elif f3 == 2: val = schema(x)
                props[name] = val or {}
            s['properties'] = props
        elif f == 31:
            name = None; y = None
            for f3, x in fields(v):
                if f3 == 1: name = x.decode()
                elif f3 == 2:
                    for f4, x4 in fields(x):
                        if f4 == 2: y = x4.decode()
            s.setdefault('ext', {})[name] = y
    return s


def definitions(data):
    defs = {}
    for f, v in fields(data):
        if f != 9:
            continue
        for _, ns in fields(v):
            name = None
            val = None
            for f3, x in fields(ns):
                if f3 == 1:
                    name = x.decode()
                elif f3 == 2:
                    val = schema(x)
            defs[name] = val
    return defs


def yl(s):  # tiny yaml: scalar or list of scalars
    s = s.strip()
    if s.startswith('- '):
        return [x[2:].strip() for x in s.split('\n')]
    return s
def refname(s):
    r = s.get('ref')
    return r.split('/')[-1] if r else None
def merge_info(s):
    e = s.get('ext', {})
    st = e.get('x-kubernetes-patch-strategy')
    if st is None: return None
    st = yl(st)
    if 'x-kubernetes-list-map-keys' in e: keys = yl(e['x-kubernetes-list-map-keys'])
    elif 'x-kubernetes-patch-merge-key' in e: keys = [yl(e['x-kubernetes-patch-merge-key'])]
    else: keys = []
    return st, keys
# field shape: ('ref', D) | ('list', strategy, keys, itemD or None) | ('map', D)
def shape(s):
    t = s.get('type', [])
    mi = merge_info(s)
    if t == ['array']:
        it = s.get('items', {})
        if mi and 'merge' in mi[0].split(','):
            return ('list', mi[0], mi[1], refname(it))
        return None  # non-associative: walker never descends
    if 'additionalProperties' in s:
        r = refname(s['additionalProperties'])
        return ('map', r) if r else None
    r = refname(s)
    if r: return ('ref', r)
    return None
def short(n):
    return n.replace('io.k8s.api.', '').replace('io.k8s.apimachinery.pkg.apis.meta.', 'meta.').replace('io.k8s.', '')


def main():
    d = definitions(open(sys.argv[1], 'rb').read())
    shapes = {}
    for name, s in d.items():
        fs = {}
        for f, fsch in (s.get('properties') or {}).items():
            sh = shape(fsch)
            if sh:
                fs[f] = sh
        shapes[name] = fs
    # Keep the types from which a merge list can be reached.
    rel = set()
    changed = True
    while changed:
        changed = False
        for name, fs in shapes.items():
            if name in rel:
                continue
            if any(sh[0] == 'list' or (sh[0] in ('ref', 'map') and sh[-1] in rel) for sh in fs.values()):
                rel.add(name)
                changed = True
    out = ['# Generated from kustomize v5.5.0 kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb:',
           '# the strategic-merge facts of the built-in Kubernetes types. Only types that',
           '# lead to a merge list are kept; see schema.rs for the format and',
           '# gen_k8s_merge.py for how it was made.']
    for name in sorted(rel):
        out.append('type ' + short(name))
        for f, sh in sorted(shapes[name].items()):
            if sh[0] == 'list':
                it = short(sh[3]) if sh[3] and sh[3] in rel else '-'
                out.append('  %s list %s %s %s' % (f, sh[1], ','.join(sh[2]) or '-', it))
            elif sh[1] in rel:
                out.append('  %s %s %s' % (f, sh[0], short(sh[1])))
    gvks = []
    for name, s in d.items():
        g = s.get('ext', {}).get('x-kubernetes-group-version-kind')
        if not g or name not in rel:
            continue
        for block in re.split(r'\n(?=- )', g.strip()):
            kv = dict(l.strip('- ').split(': ', 1) for l in block.split('\n'))
            group = kv.get('group')
            av = kv['version'] if not group or group in ('""', "''") else group + '/' + kv['version']
            gvks.append('gvk %s %s %s' % (av, kv['kind'], short(name)))
    sys.stdout.write('\n'.join(out + sorted(gvks)) + '\n')


if __name__ == '__main__':
    main()
