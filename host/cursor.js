'use strict';
/**
 * The one cursor format of this package, for cursor paging (`take`, `from`, `next`): the
 * Management API model's `/effective-permissions` and `/effective-roles` (standin-model.js) and
 * the post-login `api.roles` / `api.groups` pages (api.js). A cursor is opaque to clients; here it
 * is base64url of `{"o":offset}`.
 */

/** The cursor of the page that starts at `offset`. */
const encodeCursor = (offset) => Buffer.from(JSON.stringify({ o: offset })).toString('base64url');

/** The offset of a cursor made by encodeCursor, else null. */
function decodeCursor(from) {
  try {
    const { o } = JSON.parse(Buffer.from(String(from), 'base64url').toString('utf8'));
    return Number.isInteger(o) && o >= 0 ? o : null;
  } catch { return null; }
}

module.exports = { encodeCursor, decodeCursor };
