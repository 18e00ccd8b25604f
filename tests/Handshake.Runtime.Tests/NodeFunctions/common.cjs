'use strict';
// A .cjs handler: _HANDLER=common.handler.
exports.handler = async () => 'cjs';
