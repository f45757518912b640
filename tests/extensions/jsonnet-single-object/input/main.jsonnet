local name = 'settings';
{
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: name },
  data: { replicas: std.toString(1 + 2), greeting: 'hello ' + name },
}
