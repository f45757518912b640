#!/usr/bin/env python3
"""Writes a large kustomization tree for benchmarks.

    gen_tree.py DIR [--apps N] [--envs M]

DIR/bases/app-I holds a Deployment, Service, ServiceAccount, HPA,
PodDisruptionBudget and a generated ConfigMap; DIR/teams/team-J groups a slice
of the apps; DIR/envs/env-K builds every team with its own namespace, prefix,
labels, images, replicas, a strategic-merge patch and a JSON patch; DIR/all
builds every environment: thousands of resources across four layers.
"""
import argparse
import os


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def app(root, i):
    name = f"app-{i}"
    base = os.path.join(root, "bases", name)
    write(os.path.join(base, "kustomization.yaml"), f"""\
resources:
- deployment.yaml
- service.yaml
- rbac.yaml
configMapGenerator:
- name: {name}-config
  literals:
  - APP_INDEX={i}
  - LOG_LEVEL=info
  files:
  - settings.properties
labels:
- pairs:
    app.kubernetes.io/name: {name}
  includeSelectors: true
""")
    write(os.path.join(base, "settings.properties"),
          "".join(f"setting.{k}=value-{i}-{k}\n" for k in range(20)))
    write(os.path.join(base, "deployment.yaml"), f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  annotations:
    description: "Application number {i}, generated for the benchmark tree"
spec:
  replicas: 2
  template:
    metadata:
      annotations:
        prometheus.io/scrape: "true"
    spec:
      serviceAccountName: {name}
      containers:
      - name: main
        image: registry.example.com/apps/{name}:1.0.{i}
        args: ["--port=8080", "--config=/etc/app/settings.properties"]
        ports:
        - name: http
          containerPort: 8080
        envFrom:
        - configMapRef:
            name: {name}-config
        env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
          limits:
            memory: 256Mi
        volumeMounts:
        - name: config
          mountPath: /etc/app
      - name: proxy
        image: envoyproxy/envoy:v1.31.0
        ports:
        - containerPort: 9901
      volumes:
      - name: config
        configMap:
          name: {name}-config
""")
    write(os.path.join(base, "service.yaml"), f"""\
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  ports:
  - name: http
    port: 80
    targetPort: http
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {name}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {name}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 70
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {name}
spec:
  minAvailable: 1
""")
    write(os.path.join(base, "rbac.yaml"), f"""\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {name}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {name}
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {name}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {name}
subjects:
- kind: ServiceAccount
  name: {name}
""")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--teams", type=int, default=5)
    parser.add_argument("--envs", type=int, default=3)
    parser.add_argument("--presets", action="store_true",
                        help="every environment applies a preset library (strata only)")
    parser.add_argument("--jsonnet", type=int, default=0, metavar="N",
                        help="add a jsonnet base making N Deployment+Service pairs (strata only)")
    args = parser.parse_args()
    root = args.dir
    for i in range(args.apps):
        app(root, i)
    per_team = max(1, args.apps // args.teams)
    for t in range(args.teams):
        apps = range(t * per_team, min(args.apps, (t + 1) * per_team))
        write(os.path.join(root, "teams", f"team-{t}", "kustomization.yaml"),
              "commonAnnotations:\n  team: team-%d\nresources:\n" % t
              + "".join(f"- ../../bases/app-{i}\n" for i in apps))
    for e in range(args.envs):
        env = os.path.join(root, "envs", f"env-{e}")
        write(os.path.join(env, "kustomization.yaml"), f"""\
namespace: env-{e}
namePrefix: e{e}-
labels:
- pairs:
    environment: env-{e}
resources:
{"".join(f"- ../../teams/team-{t}{chr(10)}" for t in range(args.teams))}
images:
- name: envoyproxy/envoy
  newTag: v1.31.{e}
replicas:
- name: app-0
  count: {e + 3}
patches:
- path: resources.yaml
  target:
    kind: Deployment
- target:
    kind: HorizontalPodAutoscaler
  patch: |-
    - op: replace
      path: /spec/maxReplicas
      value: {20 + e}
configMapGenerator:
- name: app-0-config
  behavior: merge
  literals:
  - LOG_LEVEL=debug
""")
        write(os.path.join(env, "resources.yaml"), """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: any
spec:
  template:
    spec:
      containers:
      - name: main
        resources:
          limits:
            memory: 512Mi
""")
    if args.presets:
        presets(root, args.envs)
    if args.jsonnet:
        jsonnet_base(root, args.jsonnet)
    write(os.path.join(root, "all", "kustomization.yaml"),
          "resources:\n" + "".join(f"- ../envs/env-{e}\n" for e in range(args.envs))
          + ("- ../jsonnet\n" if args.jsonnet else ""))


def presets(root, envs):
    """A preset library every environment applies: defaults for all pods,
    env and a sidecar for the ones labelled by their app base."""
    write(os.path.join(root, "presets", "defaults.yaml"), """\
apiVersion: strata.dev/v1alpha1
kind: PodPreset
metadata:
  name: defaults
spec:
  selector: {}
  env:
  - name: CLUSTER_DOMAIN
    value: cluster.local
  resources:
    requests:
      cpu: 50m
  tolerations:
  - key: dedicated
    operator: Equal
    value: apps
    effect: NoSchedule
---
apiVersion: strata.dev/v1alpha1
kind: PodPreset
metadata:
  name: log-shipper
spec:
  selector:
    matchExpressions:
    - key: app.kubernetes.io/name
      operator: Exists
  volumes:
  - name: logs
    emptyDir: {}
  volumeMounts:
  - name: logs
    mountPath: /var/log/app
  sidecars:
  - name: shipper
    image: cr.fluentbit.io/fluent/fluent-bit:3.1.9
    volumeMounts:
    - name: logs
      mountPath: /var/log/app
      readOnly: true
""")
    for e in range(envs):
        path = os.path.join(root, "envs", f"env-{e}", "kustomization.yaml")
        with open(path, "a") as f:
            f.write("presets:\n- ../../presets\n")


def jsonnet_base(root, count):
    """One jsonnet program that makes `count` Deployment+Service pairs from a library function."""
    base = os.path.join(root, "jsonnet")
    write(os.path.join(base, "kustomization.yaml"), "namespace: jsonnet\nresources:\n- main.jsonnet\n")
    write(os.path.join(base, "lib", "service.libsonnet"), """\
{
  new(name, image, port=8080, replicas=2):: {
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: name, labels: { app: name } },
      spec: {
        replicas: replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{
            name: 'main',
            image: image,
            ports: [{ containerPort: port, name: 'http' }],
            env: [{ name: 'NAME', value: name }, { name: 'PORT', value: std.toString(port) }],
          }] },
        },
      },
    },
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: name, labels: { app: name } },
      spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 'http' }] },
    },
  },
}
""")
    write(os.path.join(base, "main.jsonnet"), f"""\
local service = import 'service.libsonnet';
{{
  ['svc-%d' % i]: service.new('svc-%d' % i, 'registry.example.com/svc:%d' % (i % 7), 8000 + i % 100)
  for i in std.range(0, {count - 1})
}}
""")


if __name__ == "__main__":
    main()
