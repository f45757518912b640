local name = 'api';
local labels = { app: name };
{
  deployment: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: name, labels: labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels: labels { tier: 'backend' } },
        spec: {
          containers: [{ name: name, image: std.extVar('image'), ports: [{ containerPort: 8080 }] }],
        },
      },
    },
  },
  service: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: name, labels: labels },
    spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
  },
}
