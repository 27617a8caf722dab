// Reciprocal-rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): each ranking adds
// weight / (k + rank) to the items it holds. It needs no score calibration between BM25 and cosine
// similarity, which live on unrelated scales, and an item both retrievers like rises to the top.

export interface Fused {
  id: number;
  score: number;
  /** Indexes of the rankings that held the item. */
  from: number[];
}

export interface Ranking {
  ids: readonly number[];
  /** Multiplies this ranking's contributions; 1 if absent. */
  weight?: number;
}

/** The usual constant: large enough that rank 1 and rank 2 differ by little. */
export const RRF_K = 60;

export function reciprocalRankFusion(rankings: readonly Ranking[], k = RRF_K): Fused[] {
  const byId = new Map<number, Fused>();
  rankings.forEach((ranking, which) => {
    const weight = ranking.weight ?? 1;
    ranking.ids.forEach((id, rank) => {
      let item = byId.get(id);
      if (item === undefined) byId.set(id, (item = { id, score: 0, from: [] }));
      if (item.from.includes(which)) return; // a ranking counts an item once, at its best rank
      item.score += weight / (k + rank + 1);
      item.from.push(which);
    });
  });
  return [...byId.values()].sort((a, b) => b.score - a.score || a.id - b.id);
}
