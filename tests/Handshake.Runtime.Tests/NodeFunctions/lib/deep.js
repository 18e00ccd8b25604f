'use strict';
// A handler in a subdirectory: _HANDLER=lib/deep.handler.
exports.handler = async () => 'deep';
