{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, data: {x: std.repeat('x', 1e8)}}
