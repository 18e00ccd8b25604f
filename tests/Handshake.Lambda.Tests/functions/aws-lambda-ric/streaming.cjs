'use strict';
// The streaming handlers that StreamingTests runs on the repository's own Node bootstrap, run here by AWS's client.
module.exports = require('../node-streaming/index.js');
