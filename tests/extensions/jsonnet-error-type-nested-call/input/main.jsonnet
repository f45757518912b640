local port(p) = p - 1;
local service(name, p) = {apiVersion: 'v1', kind: 'Service', metadata: {name: name}, spec: {ports: [{port: port(p)}]}};
service('web', '80')
