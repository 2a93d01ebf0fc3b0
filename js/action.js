'use strict';
// The Auth0 post-login Action entry for Node with pkg/ beside it (wasm-pack --target nodejs). All policy
// lives in Rust (src/); js/entry.js drives it. The module is loaded once per Action instance (module
// scope, reused across logins on Node 22) and loaded afresh only if the instance ever traps.
const path = require('node:path');
const { createAction } = require('./entry');

const GLUE = path.join(__dirname, '..', 'pkg', 'rbac_claims.js');

/** A fresh copy of the wasm-bindgen glue, hence a fresh wasm instance. */
function loadWasm() {
  delete require.cache[require.resolve(GLUE)];
  return require(GLUE);
}

exports.onExecutePostLogin = createAction(loadWasm).onExecutePostLogin;
