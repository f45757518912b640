{
  frontend: {
    deployment: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } },
    replicas: 3,
  },
}
