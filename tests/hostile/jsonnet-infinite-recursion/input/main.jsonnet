local f(n) = f(n + 1) + 1;
{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, x: f(0)}
