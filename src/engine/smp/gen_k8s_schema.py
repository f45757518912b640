#!/usr/bin/env python3
"""Regenerates k8s_schema.txt from kustomize's embedded Kubernetes schema.

    git -C <kustomize repo> show kustomize/v5.5.0:kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb > swagger.pb
    python3 gen_k8s_schema.py swagger.pb > k8s_schema.txt

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
def line(f, s):
    """One property: how kyaml's Field/Elements see it."""
    r = refname(s)
    if r:
        return '  %s ref %s' % (f, r)
    if s.get('type', []) == ['array']:
        mi = merge_info(s) or ('-', [])
        it = refname(s.get('items', {})) or '-'
        return '  %s list %s %s %s' % (f, mi[0], ','.join(mi[1]) or '-', it)
    if 'additionalProperties' in s:
        return '  %s map %s' % (f, refname(s['additionalProperties']) or '-')
    return '  %s leaf' % f


def main():
    d = definitions(open(sys.argv[1], 'rb').read())
    out = ['# Generated from kustomize v5.5.0 kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb',
           '# by gen_k8s_schema.py: every definition and property of the built-in',
           '# Kubernetes schema, as strategic merge sees them. See schema.rs for the format.']
    for name in sorted(d):
        out.append('def ' + name)
        for f, fsch in sorted((d[name].get('properties') or {}).items()):
            out.append(line(f, fsch or {}))
    gvks = []
    for name, s in d.items():
        g = s.get('ext', {}).get('x-kubernetes-group-version-kind')
        if not g:
            continue
        for block in re.split(r'\n(?=- )', g.strip()):
            kv = dict(l.strip('- ').split(': ', 1) for l in block.split('\n'))
            group = kv.get('group')
            av = kv['version'] if not group or group in ('""', "''") else group + '/' + kv['version']
            gvks.append('gvk %s %s %s' % (av, kv['kind'], name))
    sys.stdout.write('\n'.join(out + sorted(gvks)) + '\n')


if __name__ == '__main__':
    main()
