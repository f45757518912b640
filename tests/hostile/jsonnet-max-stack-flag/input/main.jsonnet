local f(n) = if n == 0 then 'x' else f(n - 1);
{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, data: {v: f(100)}}
