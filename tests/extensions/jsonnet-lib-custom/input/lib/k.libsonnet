// Not searched: libraryPaths replaces the defaults.
{
  configMap(name, data):: error 'lib/ must not be used when libraryPaths is set',
  source:: 'lib',
}
