/** Resource ids are String(idInstance). */
export function parseId(id: string): number {
  const idInstance = Number(id);
  if (!/^\d+$/.test(id) || !Number.isSafeInteger(idInstance)) {
    throw new Error(`"${id}" is not a Green API idInstance (expected digits only).`);
  }
  return idInstance;
}
