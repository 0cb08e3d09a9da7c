// Canonical rendering shared by the test generator and the differential test: must match
// `show(_:)` in Tests/SwitchyardExpressionsTests/Show.swift.
function show(v) {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'function') return 'function';
  if (Array.isArray(v)) return '[' + v.map(show).join(',') + ']';
  return '{' + Object.keys(v).map(k => JSON.stringify(k) + ':' + show(v[k])).join(',') + '}';
}
function kindOf(e) {
  if (e instanceof SyntaxError) return 'syntax';
  if (e instanceof ReferenceError) return 'reference';
  if (e instanceof TypeError) return 'type';
  if (e instanceof RangeError) return 'range';
  return 'other:' + e;
}
module.exports = { show, kindOf };
