// A .js file under "type": "module": require() refuses it on Node 20, so the bootstrap falls back to import().
export const handler = async (event) => ({ typeModule: true, echo: event });
