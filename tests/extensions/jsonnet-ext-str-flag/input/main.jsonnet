{
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings' },
  data: {
    environment: std.extVar('environment'),
    region: std.extVar('region'),
    // From the command line this is a string, not code.
    replicas: std.extVar('replicas'),
    replicasType: std.type(std.extVar('replicas')),
  },
}
