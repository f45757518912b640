local check(name) = if std.length(name) > 5 then error 'name too long: ' + name else name;
{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: check('configuration')}}
