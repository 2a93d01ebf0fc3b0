'use strict';
// The Action entry's whole logic, shared by js/action.js (pkg/), the single-file bundle and the tests.
// It calls the wasm export onExecutePostLogin(event, api) with the real objects and awaits its promise,
// whose every step runs inside a promise callback: a wasm trap rejects it with a
// WebAssembly.RuntimeError, caught here, and then the instance is replaced and the login denied. A
// login that had to be denied but could not be (the deny itself threw) is failed the only way left:
// the returned promise rejects. No policy here.

/** Whether `err` is the export's own rejection for a login whose deny failed (Rust logged why). */
function isNotDenied(instance, err) {
  if (!(err instanceof Error) || err instanceof WebAssembly.RuntimeError) return false;
  try {
    return err.message === instance.notDeniedMessage();
  } catch {
    return false;
  }
}

/** Runs a logging call; if even that fails, one fixed line. */
function logged(write) {
  try {
    write();
  } catch {
    console.log('rbac-claims: internal failure (not described)');
  }
}

/**
 * @param {() => object} loadWasm returns a fresh, instantiated wasm-bindgen module (its exports);
 *   called once now and again after a trap
 * @returns {{onExecutePostLogin: (event: object, api: object) => Promise<void>}}
 */
function createAction(loadWasm) {
  let wasm = loadWasm();

  async function onExecutePostLogin(event, api) {
    const instance = wasm;
    try {
      await instance.onExecutePostLogin(event, api);
    } catch (err) {
      if (isNotDenied(instance, err)) throw err;
      const replaced = err instanceof WebAssembly.RuntimeError && wasm === instance;
      if (replaced) wasm = loadWasm();
      // Log lines are written (cleaned and bounded) by the Rust side of the live instance.
      logged(() => wasm.logInternalFailure(err, replaced));
      try {
        api.access.deny(wasm.denyReason());
      } catch (denyErr) {
        logged(() => wasm.logDenyFailure(denyErr));
        throw new Error(wasm.notDeniedMessage(), { cause: denyErr });
      }
    }
  }

  return { onExecutePostLogin };
}

module.exports = { createAction };
