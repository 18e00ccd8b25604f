'use strict';
// Loads, then requires a dependency that is not there: Runtime.ImportModuleError (MODULE_NOT_FOUND).
require('./no-such-dependency');
exports.handler = async () => 'unreachable';
