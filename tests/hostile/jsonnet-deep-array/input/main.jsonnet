local deep(n) = if n == 0 then 1 else [deep(n - 1)];
{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, x: deep(12000)}
