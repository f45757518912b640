local cm(name) = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: name }, data: { name: name } };
[cm('zeta'), cm('alpha'), cm('mid')]
