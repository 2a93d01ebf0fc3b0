'use strict';
/** The permission modes the benchmarks measure, and how BENCHMARKS.md names them. */
const MODES = ['off', 'user', 'effective', 'roles'];
const MODE_LABEL = {
  off: 'roles only (`permissions=off`)',
  user: '`permissions=user`',
  effective: '`permissions=effective`',
  roles: '`permissions=roles`',
};

module.exports = { MODES, MODE_LABEL };
