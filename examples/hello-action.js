'use strict';
/**
 * A tiny Action for trying the local host before the wasm build exists. It counts this user's
 * logins on the current (warm) instance in api.cache and puts the count in the ID token:
 *
 *   node host/cli.js --action examples/hello-action.js --event examples/event.json \
 *       --secrets examples/secrets.json --repeat 3
 */
exports.onExecutePostLogin = async (event, api) => {
  const namespace = event.secrets.namespace || 'https://example.com';
  const key = `logins:${event.user.user_id}`;
  const previous = api.cache.get(key);
  const count = previous ? Number(previous.value) + 1 : 1;
  const written = api.cache.set(key, String(count), { ttl: 60 * 1000 });
  if (written.type === 'error') console.warn(`cache.set failed: ${written.code}`);
  api.idToken.setCustomClaim(`${namespace}/instance_logins`, count);
  console.log(`login ${count} of ${event.user.user_id} on this instance`);
};
