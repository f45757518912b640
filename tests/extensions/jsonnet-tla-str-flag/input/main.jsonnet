function(name, tier, track='stable') {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: name + '-' + track },
  data: { tier: tier, track: track },
}
