/**
 * The seal that separates billable from late records, shared by the Table adapter and the fake.
 *
 * Every record partition of a bucket has one seal row. Emission seals all of them (sets
 * `sealed`) before summing. A write to an hour that may already be closed carries the seal row in
 * the same entity-group transaction: it creates the row (open) or bumps its counter with the ETag
 * it read. If emission sealed the partition in between, the ETag no longer matches and the whole
 * transaction fails, so a record is either stored before the seal (billable, counted by the sum)
 * or written after it as `late` (kept, reported as unbilled). Nothing can slip in between.
 */
export type SealState = { kind: 'missing' } | { kind: 'open'; etag: string; writes: number } | { kind: 'sealed'; etag: string };

/** Attempts of a write or a seal that keeps losing the race for the seal row. */
export const SEAL_ATTEMPTS = 20;

export type SealRowWrite =
  | { kind: 'create'; columns: { sealed: false; writes: number; lastWriteAt: string } }
  | { kind: 'update'; etag: string; columns: { sealed: false; writes: number; lastWriteAt: string } };

/** The seal-row write to put in a closed-hour transaction; undefined once sealed (records are then late). */
export function sealRowWrite(seal: SealState, at: string): SealRowWrite | undefined {
  if (seal.kind === 'sealed') return undefined;
  if (seal.kind === 'missing') return { kind: 'create', columns: { sealed: false, writes: 1, lastWriteAt: at } };
  return { kind: 'update', etag: seal.etag, columns: { sealed: false, writes: seal.writes + 1, lastWriteAt: at } };
}
