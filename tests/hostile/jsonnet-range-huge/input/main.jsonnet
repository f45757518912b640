{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, x: std.range(1, 1e8)}
