"""What the tests share that is not a fixture: helpers that build or drive a world
(`journey`, `stripe`, `admin`, ...), and the plugins that give a run its own services
(`services`, loaded by pyproject's addopts) and the portal's world (`portal_world`,
loaded by tests/conftest.py). conftest.py files keep fixtures only."""
