'use strict';
// Throws while it loads: the error is reported as itself (type Error), not as Runtime.ImportModuleError.
throw new Error('init failed');
