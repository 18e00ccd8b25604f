'use strict';
// The smallest Node function: the event back as the response.
exports.handler = async (event) => event;
