// Section 7: search quality — `npm run eval` (scripts/eval/) inside the bench: recall@1, recall@3 and MRR of
// search_tools on real servers' manifests, with what each ranking feature adds. Starts no process.
import { runEval, worstMisses } from '../eval/run.mjs';

export async function searchSection({ log }) {
  const { outcomes, ...r } = await runEval({ ablation: true });
  log(`  search: R@1 ${r.recallAt1}, R@3 ${r.recallAt3}, MRR ${r.mrr} over ${r.queries} queries, ${r.corpus.tools} tools of ${r.corpus.servers} servers`);
  return { ...r, worstMisses: worstMisses(outcomes, 10).map((o) => ({ query: o.q, want: o.want, rank: o.rank, got: o.top })) };
}
