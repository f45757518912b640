// Constructors for a stateless HTTP service.
//
// app.new(...) returns an object with a Deployment, a Service and, when
// `autoscaling` is given, a HorizontalPodAutoscaler. strata (like Tanka)
// finds every object with `apiVersion` and `kind` in it, so the result can
// be the whole program or nested under any field.
{
  // name:        used for every resource and the `app.kubernetes.io/name` label
  // image:       the container image
  // port:        the port the container listens on; the Service exposes it as 80
  // replicas:    the Deployment's replicas when there is no autoscaler
  // autoscaling: null, or { min: 2, max: 6, cpu: 70 } (target CPU utilization, %)
  // env:         extra environment variables, { NAME: 'value' }
  new(name, image, port=8080, replicas=1, autoscaling=null, env={}):: {
    local labels = { 'app.kubernetes.io/name': name },

    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: name, labels: labels },
      spec: {
        // An autoscaler owns the replica count; setting it here would fight it.
        [if autoscaling == null then 'replicas']: replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels: labels },
          spec: {
            containers: [{
              name: name,
              image: image,
              ports: [{ name: 'http', containerPort: port }],
              [if std.length(env) > 0 then 'env']: [
                { name: key, value: env[key] }
                for key in std.objectFields(env)
              ],
              readinessProbe: {
                httpGet: { path: '/healthz', port: 'http' },
              },
            }],
          },
        },
      },
    },

    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: name, labels: labels },
      spec: {
        selector: labels,
        ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      },
    },

    [if autoscaling != null then 'autoscaler']: {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: name, labels: labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: name },
        minReplicas: autoscaling.min,
        maxReplicas: autoscaling.max,
        metrics: [{
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: autoscaling.cpu },
          },
        }],
      },
    },
  },
}
