local features = std.extVar('features');
{
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { environment: std.extVar('environment') } },
  spec: {
    replicas: std.extVar('replicas'),
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [{
          name: 'app',
          image: 'nginx',
          env: [
            { name: 'FEATURE_' + std.asciiUpper(f), value: std.toString(features[f]) }
            for f in std.objectFields(features)
          ],
        }],
      },
    },
  },
}
