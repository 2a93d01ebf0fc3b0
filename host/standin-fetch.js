'use strict';
/**
 * Auth0 Management API stand-in in-process: a `fetch` serving the Management API model
 * (standin-model.js) without sockets. It answers with real `Response` objects (Node's global
 * `Response`), so an Action reads them as it reads network answers: the body as a byte stream (one
 * chunk, or chunks of 64 kB for larger bodies), `content-length`, `redirected`, `headers.get`.
 *
 *   const standIn = createFetchStandIn({ fixture });
 *   standIn.install();             // globalThis.fetch is now the stand-in (uninstall() restores it)
 *   … secrets: { domain: standIn.domain, clientId: standIn.clientId, clientSecret: standIn.clientSecret,
 *                managementUrl: standIn.url } …
 *   standIn.counts; standIn.setFaults({ status5xx: { count: 1 } }); await standIn.close();
 *
 * Every URL is answered by the model, whatever its origin (its path and query are routed); `url` is
 * `https://<domain>`. As fetch does, it validates the request headers (`new Headers`), rejects at
 * once when the signal has already fired, and follows a redirect only with `redirect: 'follow'`
 * (the default; up to 20, within the model; the answer then has `redirected` true), gives the 3xx
 * itself with 'manual', and rejects with 'error'. The model's faults become what a network gives:
 * latency a timer (the signal can end it), `reset` a rejection (TypeError "fetch failed", cause
 * code UND_ERR_SOCKET), `hang` a promise that only the signal or close() ends.
 */
const { setImmediate: nextTurn } = require('node:timers/promises');
const { createModel, modelFace, CHUNK_BYTES } = require('./standin-model');

const NULL_BODY = new Set([101, 204, 205, 304]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

/** What undici rejects with when the connection is cut. */
function socketError(message) {
  const cause = Object.assign(new Error(message), { name: 'SocketError', code: 'UND_ERR_SOCKET' });
  return new TypeError('fetch failed', { cause });
}

const abortReason = (signal) => (signal.reason !== undefined ? signal.reason : new DOMException('This operation was aborted', 'AbortError'));

/** The request body as text, as fetch would send it, and the content-type fetch would add for it. */
function bodyText(body) {
  if (body === undefined || body === null) return { text: undefined };
  if (typeof body === 'string') return { text: body, type: 'text/plain;charset=UTF-8' };
  if (body instanceof URLSearchParams) return { text: body.toString(), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
  if (ArrayBuffer.isView(body)) return { text: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8') };
  if (body instanceof ArrayBuffer) return { text: Buffer.from(body).toString('utf8') };
  return { pending: new Response(body).text() }; // a stream, Blob or FormData: read it as fetch would
}

/** A `Response` with the model's answer; bodies over CHUNK_BYTES are streamed in slices, as they arrive. */
function toResponse(answer) {
  const { status, headers } = answer;
  if (NULL_BODY.has(status)) return new Response(null, { status, headers });
  const bytes = answer.body;
  if (bytes.length <= CHUNK_BYTES) return new Response(bytes, { status, headers });
  let offset = 0;
  const stream = new ReadableStream({
    pull(controller) {
      const end = Math.min(offset + CHUNK_BYTES, bytes.length);
      controller.enqueue(new Uint8Array(bytes.subarray(offset, end))); // a copy: the answer may be cached
      offset = end;
      if (offset >= bytes.length) controller.close();
    },
  }, { highWaterMark: 0 });
  return new Response(stream, { status, headers });
}

/**
 * Create an in-process stand-in.
 *
 * @param {object} [options] every option of createModel (standin-model.js: fixture, domain, clientId,
 *   clientSecret, scopes, rateLimit, faults, now, acceptClient, acceptAudience, mintToken,
 *   cacheAnswers, …), and:
 * @param {number} [options.yieldEvery=0] every Nth request answers in a later turn of the event loop
 *   (as a socket would), so that timers keep firing during long runs of otherwise instant answers
 * @returns {{fetch: typeof fetch, install: () => void, uninstall: () => void, close: () => Promise<void>,
 *   url: string, domain: string, audience: string, clientId: string, clientSecret: string, scopes: string[],
 *   counts: object, requests: object[], resetCounts: () => void, setFaults: (spec: object|null) => void,
 *   revokeTokens: () => void, model: object}}
 */
function createFetchStandIn({ yieldEvery = 0, ...options } = {}) {
  const model = createModel(options);
  /** Requests waiting (latency, hang): close() ends them. */
  const waiting = new Set();
  let seen = 0;
  let closed = false;

  /** Resolves after `ms`, or rejects when `signal` fires or close() is called. `ms` Infinity: a hang. */
  function wait(ms, signal) {
    return new Promise((resolve, reject) => {
      let timer = null;
      const entry = {};
      const done = () => {
        clearTimeout(timer);
        if (signal) signal.removeEventListener('abort', onAbort);
        waiting.delete(entry);
      };
      const onAbort = () => { done(); reject(abortReason(signal)); };
      entry.end = () => { done(); reject(socketError('other side closed')); };
      waiting.add(entry);
      if (signal) signal.addEventListener('abort', onAbort, { once: true });
      // A hang keeps the process alive as an open connection would (AbortSignal.timeout's timer does not).
      timer = ms === Infinity ? setTimeout(() => {}, 2 ** 31 - 1) : setTimeout(() => { done(); resolve(); }, ms);
    });
  }

  async function exchange(url, method, headers, body, signal) {
    const u = new URL(url);
    const answer = model.handle({
      method, path: `${u.pathname}${u.search}`, headers, body,
    });
    if (answer.delayMs > 0) await wait(answer.delayMs, signal);
    if (answer.drop === 'reset') throw socketError('other side closed');
    if (answer.drop === 'hang') await wait(Infinity, signal);
    return answer;
  }

  async function standInFetch(input, init = {}) {
    const request = typeof input === 'object' && input !== null && typeof input.clone === 'function' && typeof input.url === 'string' ? input : null;
    let url = request ? request.url : String(input);
    let method = String(init.method || (request && request.method) || 'GET').toUpperCase();
    const signal = init.signal || (request && request.signal) || null;
    const redirect = init.redirect || (request && request.redirect) || 'follow';
    // As fetch does: invalid header names or values are a TypeError before anything is sent.
    const given = new Headers(init.headers !== undefined ? init.headers : (request ? request.headers : undefined));
    const sent = init.body !== undefined || !request || request.body === null ? bodyText(init.body) : { pending: request.clone().text() };
    let body = sent.pending ? await sent.pending : sent.text;
    if (sent.type && !given.has('content-type')) given.set('content-type', sent.type);
    if (signal && signal.aborted) throw abortReason(signal);
    if (closed) throw socketError('connect ECONNREFUSED');
    seen += 1;
    if (yieldEvery > 0 && seen % yieldEvery === 0) await nextTurn();
    const headers = {};
    given.forEach((value, name) => { headers[name] = value; });

    let answer = await exchange(url, method, headers, body, signal);
    let redirected = false;
    for (let hops = 0; REDIRECT.has(answer.status) && answer.headers.location !== undefined && redirect !== 'manual'; hops += 1) {
      if (redirect === 'error' || hops >= MAX_REDIRECTS) throw new TypeError('fetch failed', { cause: new Error(redirect === 'error' ? 'unexpected redirect' : 'redirect count exceeded') });
      url = new URL(answer.headers.location, url).href;
      if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      redirected = true;
      answer = await exchange(url, method, headers, body, signal);
    }
    const response = toResponse(answer);
    if (redirected) {
      Object.defineProperty(response, 'redirected', { value: true });
      Object.defineProperty(response, 'url', { value: url });
    }
    return response;
  }

  let saved = null;
  const uninstall = () => {
    if (!saved) return;
    if (globalThis.fetch === standInFetch) globalThis.fetch = saved.fetch;
    saved = null;
  };
  return {
    fetch: standInFetch,
    model,
    url: `https://${model.domain}`,
    ...modelFace(model),
    /** Make this stand-in the global fetch, until uninstall(). */
    install() {
      if (saved) return;
      saved = { fetch: globalThis.fetch };
      globalThis.fetch = standInFetch;
    },
    /** Put back the fetch that install() replaced (unless something replaced the stand-in since). */
    uninstall,
    /** End every waiting request (as a closed connection: fetch rejects) and uninstall. */
    async close() {
      closed = true;
      for (const entry of [...waiting]) entry.end();
      uninstall();
    },
  };
}

module.exports = { createFetchStandIn };
