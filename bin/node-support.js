// The Node versions labctl runs on, as package.json "engines" states them (test/cli-entry.test.ts checks
// that the two agree). The bundle bin/build.js makes require()s ES-module-only dependencies, so it needs
// require(esm) without a flag: Node 20.19 in the 20 line, 22.12 in the 22 line, every release from 23 on.
// Node 21 never had it. Older versions fail in their own ways: 20.0-20.5 cannot load tsx (the sources'
// fallback), 18 has no global crypto (secrets init stops with an internal error).
// Old syntax on purpose (var, no ?. or ??): bin/labctl.js loads this before anything else, on any Node.

export var ENGINES = '^20.19.0 || >=22.12.0';

/** Null when labctl runs on Node `version` ("v20.19.0"), else the one line that says what to install. */
export function nodeRefusal(version) {
  var m = /^v?(\d+)\.(\d+)\.\d+/.exec(String(version));
  var major = m ? Number(m[1]) : 0;
  var minor = m ? Number(m[2]) : 0;
  if ((major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 23) return null;
  return (
    'labctl: this is Node ' +
    version +
    '; labctl needs Node 20.19 or later in the 20 line, or 22.12 or later ' +
    '(package.json engines: ' +
    ENGINES +
    '). Install a newer Node.js (https://nodejs.org/en/download) and run labctl again.'
  );
}
