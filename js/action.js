'use strict';
// The Auth0 post-login Action entry. All policy lives in Rust (src/); this file only loads the wasm module
// once per Action instance (module scope, reused across logins on Node 22) and forwards the call.
const wasm = require('../pkg/rbac_claims.js');

/**
 * @param {object} event the post-login event
 * @param {object} api the post-login api
 * @returns {Promise<void>} resolves always: the Rust side logs and denies on failure; this guard only
 *   catches what should never happen (a trapped wasm instance) so that no login ever sees a rejection.
 */
exports.onExecutePostLogin = async (event, api) => {
  try {
    await wasm.onExecutePostLogin(event, api);
  } catch (err) {
    console.log(`rbac-claims: internal failure: ${err && err.message ? err.message : String(err)}`);
    try {
      api.access.deny(wasm.denyReason());
    } catch (denyErr) {
      console.log(`rbac-claims: could not deny the login: ${denyErr && denyErr.message}`);
    }
  }
};
