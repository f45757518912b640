{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, data: {x: std.join(',', std.makeArray(1e5, function(i) std.repeat('x', 200)))}}
