// The api service. `lib/` is a library path by default, so the import needs
// no directory.
local app = import 'app.libsonnet';

app.new(
  name='api',
  image='ghcr.io/example/api:1.4.2',
  port=8080,
  autoscaling={ min: 2, max: 6, cpu: 70 },
  env={ LOG_LEVEL: 'info' },
)
