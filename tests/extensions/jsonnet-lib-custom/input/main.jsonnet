local k = import 'k.libsonnet';
k.configMap('from-custom-lib', { source: k.source })
