// An ES module handler, loaded through dynamic import().
export const handler = async (event) => ({ esm: true, echo: event });
