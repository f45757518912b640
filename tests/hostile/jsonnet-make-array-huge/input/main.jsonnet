{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, x: std.makeArray(1e9, function(i) i)}
