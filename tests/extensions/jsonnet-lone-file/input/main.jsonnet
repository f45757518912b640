// Built on its own (`strata build main.jsonnet`), as the only resource of a
// kustomization in this directory: `lib/` is a library path as usual.
local svc = import 'svc.libsonnet';
[
  svc.service('web', 80),
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' }, data: { a: 'b' } },
]
