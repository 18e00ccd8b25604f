'use strict';
// Deliberately broken: the bootstrap must report Runtime.UserCodeSyntaxError to /init/error.
exports.handler = async (event => {
