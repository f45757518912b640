local lib = import 'lib/nowhere.libsonnet';
lib.configMap('x')
