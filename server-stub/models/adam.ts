/**
 * One Adam step (β1 0.9, β2 0.999, ε 1e-8) with L2 on every parameter but the first (the bias),
 * in place. Shared by the engine's click model (engine/train.ts) and the additive scorer.
 * `step` counts from 1.
 */
export function adamStep(theta: Float64Array, grad: Float64Array, m1: Float64Array, m2: Float64Array, step: number, lr: number, l2: number): void {
  const c1 = 1 - 0.9 ** step;
  const c2 = 1 - 0.999 ** step;
  for (let p = 0; p < theta.length; p++) {
    const gp = grad[p]! + (p ? l2 * theta[p]! : 0);
    m1[p] = 0.9 * m1[p]! + 0.1 * gp;
    m2[p] = 0.999 * m2[p]! + 0.001 * gp * gp;
    theta[p]! -= (lr * (m1[p]! / c1)) / (Math.sqrt(m2[p]! / c2) + 1e-8);
  }
}
