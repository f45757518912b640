// `lib/` is searched by default, so the import needs no directory.
local k = import 'k.libsonnet';
k.configMap('from-lib', { source: 'lib' })
