local o = {a: 1};
{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, x: o.missing}
