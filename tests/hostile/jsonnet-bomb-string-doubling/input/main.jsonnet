{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, data: {x: local f(s, n) = if n == 0 then s else f(s + s, n - 1); f('x', 40)}}
