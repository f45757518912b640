// Fields are walked in sorted order; null fields (an `if` without `else`) are skipped.
local cm(name) = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: name } };
local enableDebug = false;
{
  web: {
    service: cm('web-b'),
    config: cm('web-a'),
  },
  api: [cm('api-a'), { nested: cm('api-b') }],
  debug: if enableDebug then cm('debug'),
  zz: { apiVersion: 'v1', kind: 'List', items: [cm('z-a')] },
}
