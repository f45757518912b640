import '../shared/common.libsonnet'
