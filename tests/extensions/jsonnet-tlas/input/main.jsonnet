function(name, replicas, ports, image='nginx:1.27') {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: name },
  spec: {
    replicas: replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [{
          name: name,
          image: image,
          ports: [{ containerPort: p } for p in ports],
        }],
      },
    },
  },
}
