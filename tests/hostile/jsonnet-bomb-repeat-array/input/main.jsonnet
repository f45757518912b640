{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, x: std.repeat([1], 1e8)}
