'use strict';
// The Action entry's whole logic, shared by js/action.js (pkg/), the single-file bundle and the tests.
// It drives a login polled in Rust (startLogin runs it as far as it can; then loginWoken/pollLogin until
// done) so that a wasm trap surfaces here, inside a try, as a WebAssembly.RuntimeError: then the
// instance is replaced and the login denied. A login that had to be denied but could not be (the deny
// itself threw) is failed the only way left: the returned promise rejects. No policy here.

const PENDING = 0; // pollLogin: waits for I/O (startLogin returns the task id, >= 0, instead)
const NOT_DENIED = -2; // startLogin/pollLogin: finished, had to deny, api.access.deny failed

/**
 * @param {() => object} loadWasm returns a fresh, instantiated wasm-bindgen module (its exports);
 *   called once now and again after a trap
 * @returns {{onExecutePostLogin: (event: object, api: object) => Promise<void>}}
 */
/** Runs a logging call; if even that fails, one fixed line. */
function logged(write) {
  try {
    write();
  } catch {
    console.log('rbac-claims: internal failure (not described)');
  }
}

function createAction(loadWasm) {
  let wasm = loadWasm();

  async function onExecutePostLogin(event, api) {
    const instance = wasm;
    let id = -1;
    let state = PENDING;
    try {
      id = instance.startLogin(event, api);
      if (id < 0) state = id;
      while (id >= 0) {
        await instance.loginWoken(id);
        const polled = instance.pollLogin(id);
        if (polled !== PENDING) {
          state = polled;
          id = -1;
        }
      }
    } catch (err) {
      const replaced = err instanceof WebAssembly.RuntimeError && wasm === instance;
      if (replaced) wasm = loadWasm();
      // Log lines are written (cleaned and bounded) by the Rust side of the live instance.
      logged(() => wasm.logInternalFailure(err, replaced));
      try {
        api.access.deny(wasm.denyReason());
      } catch (denyErr) {
        logged(() => wasm.logDenyFailure(denyErr));
        state = NOT_DENIED;
      }
    } finally {
      try {
        if (id >= 0) instance.endLogin(id);
      } catch {
        // a trapped instance may refuse; it is being dropped anyway
      }
    }
    if (state === NOT_DENIED) throw new Error(wasm.notDeniedMessage());
  }

  return { onExecutePostLogin };
}

module.exports = { createAction };
